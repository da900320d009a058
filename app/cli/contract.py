"""The commands that bring the shop's contract: ``warranty`` (coverage, certificate, import, refresh) and
``setup`` (the wizard's steps headless, enrolment included)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CliError, interface, known, write_failed
from app.cli_texts import Msg, line, os_reason

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.setup.enrolment import EnrolmentError


def _usable_vendor_url(url: str) -> bool:
    """As setup will write it (``[vendor] base_url``): checked before it enrols with it or writes anything."""
    from app.infra.settings import VendorSettings
    from app.setup.finish import vendor_at

    try:
        vendor_at(VendorSettings(), url)
    except ValueError:
        return False
    return True


def contract_reason(error: object) -> Msg:
    problem = getattr(getattr(error, "problem", None), "value", "malformed")
    return Msg(known(f"contract_{problem}", "contract_malformed"))


def warranty_command(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.warranty.certificate import write_certificate
    from app.warranty.service import RefreshOutcome
    from pmv_protocol.contract import ContractError
    from pmv_protocol.coverage import coverage_on

    language = interface.language
    service = runtime.contract_service()
    today = args.today or runtime.shop_today()
    if args.import_file is not None:
        had_one = service.cached().contract is not None
        try:
            service.import_file(args.import_file)
        except FileNotFoundError:
            raise CliError("contract_file_not_found", path=args.import_file) from None
        except ContractError as exc:
            raise CliError("contract_refused", path=args.import_file, reason=contract_reason(exc),
                           kept=Msg("contract_kept" if had_one else "contract_none_kept")) from None
    warning = None
    if args.refresh:
        result = service.refresh()
        if result.outcome is RefreshOutcome.REFUSED:
            warning = Msg.of("refresh_refused", reason=contract_reason(result.contract_error))
        elif result.outcome is RefreshOutcome.OFFLINE:
            kind = getattr(getattr(result.api_error, "kind", None), "value", "offline")
            warning = Msg.of("refresh_offline", reason=Msg(known(f"api_{kind}", "api_offline")))
    cached = service.cached()
    if warning and cached.contract is None and not cached.error:  # no saved contract to fall back on: one error
        raise CliError("refresh_failed_no_contract", reason=warning.params["reason"])
    if warning:
        print(line("warning", warning, language), file=sys.stderr)
    if cached.contract is None:
        if cached.error:
            raise CliError("warranty_saved_invalid", reason=contract_reason(cached.error))
        raise CliError("warranty_no_contract")
    contract = cached.contract
    if args.certificate:
        try:
            write_certificate(contract, runtime.settings.shop, today, args.certificate, language)
        except OSError as exc:
            raise write_failed(args.certificate, exc) from None
        print(args.certificate)
        return 0
    coverage = coverage_on(contract, today)
    maintenance = coverage.maintenance
    print(json.dumps({
        "shop_id": contract.shop_id,
        "shop_name": contract.shop_name,
        "package": contract.package_code,
        "warranty_months": contract.warranty_months,
        "accepted_on": contract.accepted_on.isoformat(),
        "day": today.isoformat(),
        "status": coverage.status.value,
        # Set before the acceptance day: not covered yet (a shop being installed), not a lapsed contract.
        "accepted_on_ahead": coverage.accepted_on_ahead.isoformat() if coverage.accepted_on_ahead else None,
        "warranty_ends": coverage.warranty_ends.isoformat(),
        "maintenance": None if maintenance is None else {
            "start": maintenance.start.isoformat(), "end": maintenance.end.isoformat(), "tier": maintenance.tier,
        },
        "priority": coverage.priority,
        "days_left": coverage.days_left,
        "ending_soon": coverage.ending_soon,
        "covered_until": coverage.covered_until.isoformat() if coverage.covered_until else None,
        "issued_at": contract.issued_at.isoformat(),
        "contract_number": contract.contract_number,
        "vendor": None if contract.vendor is None else contract.vendor.to_payload(),
    }, ensure_ascii=False, indent=2))
    return 0


def setup_command(args: argparse.Namespace, runtime: Runtime) -> int:
    """The wizard's steps headless (app/setup/headless.py); one line on stderr for each way it stops."""
    from app.setup.enrolment import EnrolmentError
    from app.setup.environment import SetupEnvironment
    from app.setup.headless import HeadlessRequest, SetupNotWritten, SetupStop, SetupStopped, run_setup
    from pmv_protocol.contract import ContractError

    if bool(args.token) != (args.contract is not None):
        raise CliError("setup_offline_half")
    if args.contract is not None and not Path(args.contract).is_file():
        raise CliError("setup_contract_missing", path=args.contract)
    if args.vendor_url and not _usable_vendor_url(args.vendor_url):
        raise CliError("setup_vendor_url", url=repr(args.vendor_url))
    environment = SetupEnvironment.for_runtime(runtime)
    if args.vendor_url:
        environment.vendor_url = args.vendor_url
    request = HeadlessRequest(pos_dir=args.pos_dir, code=args.enrol, token=args.token, contract_file=args.contract,
                              vendor_url=args.vendor_url)
    try:
        outcome = run_setup(runtime, environment, request)
    except SetupStopped as stop:
        if stop.stop is SetupStop.POS_NOT_FOUND:
            if args.pos_dir is not None:
                raise CliError("setup_pos_not_at", path=args.pos_dir) from None
            raise CliError("setup_pos_not_found") from None
        if stop.stop is SetupStop.DATABASE_UNUSABLE and stop.install is not None and stop.proof is not None:
            problem = stop.proof.problem.value if stop.proof.problem else "server_error"
            raise CliError("setup_database", problem=Msg(known(f"setup_proof_{problem}", "setup_proof_server_error")),
                           path=stop.install.database or stop.install.url) from None
        raise CliError("setup_not_enrolled") from None
    except EnrolmentError as exc:
        raise CliError(_enrol_message(exc)) from None
    except ContractError as exc:
        raise CliError("setup_contract", reason=contract_reason(exc)) from None
    except SetupNotWritten as exc:  # enrolled: the enrolment waits in the data folder, or is lost
        raise CliError("setup_not_written_kept" if exc.kept else "setup_not_written_lost",
                       reason=os_reason(exc.error)) from None
    except OSError as exc:
        raise CliError("setup_not_written", reason=os_reason(exc)) from None
    written, proof, shop = outcome.written, outcome.proof, outcome.shop
    print(json.dumps({
        "settings_file": str(written.settings_file),
        "previous_settings": str(written.backup) if written.backup else None,
        "shop": {"shop_id": shop.shop_id, "name": shop.name, "address": shop.address, "phone": shop.phone},
        "pos": {"install_dir": str(outcome.install.install_dir), "version": proof.pos_version,
                "newest_invoice": proof.newest_invoice.isoformat() if proof.newest_invoice else None},
        "contract": None if written.contract is None else written.contract.contract_number or "",
        "verdict": outcome.report.verdict.value,
        "not_ok": [{"check": r.check_id, "status": r.status.value, "summary": r.summary}
                   for r in outcome.report.results if r.status.value not in ("ok", "skipped")],
    }, ensure_ascii=False, indent=2))
    return 0


def _enrol_message(exc: EnrolmentError) -> Msg:
    from app.setup.enrolment import EnrolFailure
    from pmv_protocol.enrolment_codes import CodeProblem

    failure = exc.failure
    if failure is EnrolFailure.FORMAT:
        if exc.problem is CodeProblem.INPUT_METHOD:
            return Msg.of("enrol_input_method", position=exc.position or 1)
        return Msg.of("enrol_format", position=exc.position) if exc.position else Msg.of("enrol_format_any")
    if failure is EnrolFailure.THROTTLED:
        return Msg.of("enrol_throttled", minutes=max(1, -(-(exc.retry_after or 60) // 60)))
    if failure is EnrolFailure.CONTRACT_REFUSED:
        return Msg.of("enrol_contract", reason=exc.detail)
    if failure in (EnrolFailure.UNKNOWN, EnrolFailure.EXPIRED, EnrolFailure.USED):
        return Msg.of(f"enrol_{failure.value}")
    reason = {EnrolFailure.OFFLINE: "api_offline", EnrolFailure.TIMEOUT: "api_timeout",
              EnrolFailure.SERVER: "api_server"}.get(failure, "api_bad_response")
    return Msg.of("enrol_unreachable", reason=Msg.of(reason))
