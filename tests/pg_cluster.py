"""A throw-away PostgreSQL cluster for the tests that need a real server (POS databases, the vendor database).

initdb as a non-root user (PostgreSQL refuses to run as root), trust authentication, listening on 127.0.0.1
only, a free port, sockets in its own temp dir; then stopped and deleted.  Skipped, with the reason, only when
the server binaries are not installed (Debian: ``apt-get install postgresql``); the driver (psycopg) is a
dependency, so its absence fails.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from tests.integration.conftest import free_port


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


@dataclass
class PgCluster:
    port: int
    admin: Engine  # AUTOCOMMIT, on the 'postgres' database: CREATE / DROP DATABASE

    def url(self, database: str) -> str:
        # Plain postgresql://, as a technician writes it: the app maps it to the psycopg driver it ships.
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def engine(self, database: str) -> Engine:
        return create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}")


@contextlib.contextmanager
def cluster() -> Iterator[PgCluster]:
    bindir = _pg_bindir()
    if bindir is None or not (bindir / "initdb").is_file():
        pytest.skip("PostgreSQL server binaries not installed (Debian: apt-get install postgresql)")
    # Not under pytest's tmp dir: /tmp/pytest-of-root is 0700, out of the postgres user's reach.
    folder = Path(tempfile.mkdtemp(prefix="pmv-pg-"))
    data, sockets = folder / "data", folder / "sock"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        user = "postgres" if _user_exists("postgres") else "nobody"
        for path in (folder, sockets):
            shutil.chown(path, user)
        as_user = ["runuser", "-u", user, "--"]
    port = free_port()
    log = folder / "pg.log"
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True, timeout=120)
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40"
        started = subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                                  "-w", "-t", "60", "start"], capture_output=True, text=True, timeout=90)
        if started.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else started.stderr
            raise RuntimeError(f"PostgreSQL did not start: {tail}")
        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                              isolation_level="AUTOCOMMIT")
        try:
            yield PgCluster(port, admin)
        finally:
            admin.dispose()
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


