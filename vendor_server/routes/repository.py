"""``/tuf/metadata`` and ``/tuf/targets``: the TUF repository as plain static files.

Static on purpose: in production any static host or CDN serves the same
folders (DESIGN.md); this server only saves the vendor a second one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class RepositoryFiles(StaticFiles):
    """The TUF repository as plain static files (FileResponse: ETag, HEAD and HTTP Range for resuming).

    A folder that does not exist yet answers 404 rather than failing, so the
    server may start before ``pmv-vendor repo init``; ngclient needs exactly
    that 404 for the root version after the newest. Metadata is revalidated
    on every request (``no-cache``), so a cache in between never serves a
    stale timestamp.json; targets are content-addressed and never change.
    """

    def __init__(self, directory: Path, *, cache_control: str) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.cache_control = cache_control

    async def check_config(self) -> None:
        return None

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        return response


def mount_repository(app: FastAPI, tuf_root: Path) -> None:
    """Serve ``tuf_root``'s ``metadata`` and ``targets`` folders (created by ``pmv-vendor repo init``)."""
    app.mount("/tuf/metadata", RepositoryFiles(tuf_root / "metadata", cache_control="no-cache"),
              name="tuf-metadata")
    app.mount("/tuf/targets", RepositoryFiles(tuf_root / "targets", cache_control="public, max-age=86400"),
              name="tuf-targets")
