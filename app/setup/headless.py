"""``pmv-support setup``: the wizard's four steps without a window, for scripted installs.

``--pos-dir DIR`` names the POS install (else the search the wizard makes picks the best one found);
``--enrol CODE`` enrols (or uses the enrolment this install kept from that code: the command run again
after the settings could not be written), or ``--token T --contract FILE`` for a shop without Internet, or
neither to use an enrolment kept from a cancelled setup.  Devices are left as they are (the wizard's step 3 is
optional).  The settings are written only after the database proved and the enrolment succeeded; then
the first check runs, as in the wizard.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.health.model import HealthReport
from app.setup.enrolment import Enrolment
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices, SetupWritten, ShopDetails, finish_setup, read_written
from app.setup.pos_discovery import PosInstall, read_install
from app.setup.pos_proof import DatabaseProof, prove_database
from pmv_protocol.contract import verify

if TYPE_CHECKING:
    from app.runtime import Runtime


class SetupStop(enum.Enum):
    """Why a headless setup stopped before writing (the CLI words each)."""

    POS_NOT_FOUND = "pos_not_found"  # no install at --pos-dir, or none found
    DATABASE_UNUSABLE = "database_unusable"  # the install's database did not prove (``proof`` says why)
    NOT_ENROLLED = "not_enrolled"  # no code, no token and contract, no kept enrolment


class SetupStopped(Exception):
    def __init__(self, stop: SetupStop, *, install: PosInstall | None = None, proof: DatabaseProof | None = None):
        super().__init__(stop.value)
        self.stop, self.install, self.proof = stop, install, proof


class SetupNotWritten(OSError):
    """The settings (or the contract, or the token) could not be written after the shop was enrolled.

    The OSError's own errno, text and file names, plus ``kept``: the enrolment waits in the data folder
    (:mod:`app.setup.pending`), so the same command run again finishes the setup without a new code;
    False when that folder refused it too (the code is spent, and the enrolment is lost with this run).
    """

    def __init__(self, error: OSError, *, kept: bool) -> None:
        if error.errno is None:
            super().__init__(*error.args)
        else:
            super().__init__(error.errno, error.strerror, error.filename, None, error.filename2)
        self.error, self.kept = error, kept


@dataclass(frozen=True)
class HeadlessRequest:
    pos_dir: Path | None = None
    code: str = ""
    token: str = ""
    contract_file: Path | None = None
    vendor_url: str = ""  # written into the settings too


@dataclass(frozen=True)
class SetupOutcome:
    install: PosInstall
    proof: DatabaseProof
    shop: ShopDetails
    written: SetupWritten
    report: HealthReport


def run_setup(runtime: Runtime, environment: SetupEnvironment, request: HeadlessRequest) -> SetupOutcome:
    """Raises :class:`SetupStopped`, :class:`app.setup.enrolment.EnrolmentError`, ContractError or OSError
    (:class:`SetupNotWritten` once enrolled); nothing is written on any of them (but a successful enrolment's
    token and the enrolment kept in the data folder, as in the wizard).

    ``request.code`` that this install already traded (its enrolment kept: an earlier run enrolled, then could
    not write the settings) finishes with the kept enrolment: the same command simply runs again."""
    install = _install(environment, request.pos_dir)
    proof = prove_database(install)
    if not proof.ok:
        raise SetupStopped(SetupStop.DATABASE_UNUSABLE, install=install, proof=proof)
    choices = SetupChoices(install_dir=install.install_dir, database=install.database, url=install.url,
                           backups_dir=install.backups_dir, logs_dir=install.logs_dir, vendor_url=request.vendor_url)
    if request.code:
        choices.enrolment = environment.enrol(request.code)
    elif request.token and request.contract_file is not None:
        verified = verify(request.contract_file.read_bytes(), environment.keys(), None)
        choices.offline_token, choices.offline_contract = request.token.strip(), verified.stored_bytes
        choices.offline_shop = ShopDetails(verified.contract.shop_id, verified.contract.shop_name)
    else:
        kept: Enrolment | None = environment.pending.load()
        if kept is None:
            raise SetupStopped(SetupStop.NOT_ENROLLED, install=install, proof=proof)
        choices.enrolment = kept
    try:
        written = finish_setup(choices, base=runtime.settings, settings_file=runtime.loaded.path,
                               tokens=runtime.token_store, contract_cache=runtime.paths.data_dir / "contract.json",
                               trusted_keys=environment.keys(), pending=environment.pending)
    except OSError as exc:
        if choices.enrolment is None:  # the token and contract given: run again as it was
            raise
        raise SetupNotWritten(exc, kept=environment.pending.load() is not None) from exc
    from app.health.service import run_health

    runtime.loaded = read_written(written, runtime.paths.data_dir, runtime.clock)
    report = run_health(runtime)
    return SetupOutcome(install, proof, choices.shop(), written, report)


def _install(environment: SetupEnvironment, pos_dir: Path | None) -> PosInstall:
    if pos_dir is not None:
        install = read_install(pos_dir)
        if install is None:
            raise SetupStopped(SetupStop.POS_NOT_FOUND)
        return install
    found = environment.find_installs()
    if not found:
        raise SetupStopped(SetupStop.POS_NOT_FOUND)
    return found[0]

