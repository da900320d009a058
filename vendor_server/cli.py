"""``pmv-vendor``: run the vendor server and manage shops, contracts, keys, tickets and the TUF repository.

Every command takes ``--config FILE`` (TOML with ``data``, ``db``, ``keys``,
``host``, ``port``, ``tuf_repo``, ``tuf_keys``, ``auto_close_working_days`` (how
many working days a proposed solution waits for the shop's answer before
``ticket close-unanswered`` closes it; default 5), and a ``[vendor]`` table with
the company's ``name``, ``address``, ``tax_code`` and ``hotline`` that
``issue-contract`` signs into every contract, a ``[fleet]`` table (when a shop
counts as silent, when a check held critical opens a ticket) and a
``[releases]`` table (``auto_stop_rollback_rate``, ``auto_stop_min_shops``: when
a new app build's rollout stops itself), both read by ``serve``) and exits
non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pmv_protocol import HOTLINE
from pmv_protocol.contract import ContractError
from pmv_protocol.digits import natural
from pmv_protocol.ticket_flow import DEFAULT_AUTO_CLOSE_WORKING_DAYS
from pmv_protocol.unlock_codes import UnlockError
from vendor_server.cli_enrol import EnrolCommandError, add_enrol_parser, run_enrol_command
from vendor_server.cli_staff import StaffCommandError, add_staff_parser, run_staff_command
from vendor_server.cli_tickets import TicketCommandError, add_ticket_commands, run_ticket_command
from vendor_server.contract_issue import issue_contract
from vendor_server.db import VendorDatabase
from vendor_server.fleet import cli as fleet_cli
from vendor_server.fleet.settings import FleetSettings
from vendor_server.keys import VendorKeyError, VendorKeys
from vendor_server.releases.settings import ReleaseSettings
from vendor_server.signing import sign_challenge


class VendorCliError(Exception):
    pass


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _maintenance(text: str) -> dict[str, str]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(f"expected START:END[:TIER], got {text!r}")
    start, end = _date(parts[0]), _date(parts[1])
    if end < start:
        raise argparse.ArgumentTypeError(f"maintenance ends before it starts: {text!r}")
    return {"start": start.isoformat(), "end": end.isoformat(), "tier": parts[2] if len(parts) == 3 else "standard"}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="FILE", help="TOML with data, db, keys, host, port")
    common.add_argument("--data", type=Path, metavar="DIR", help="data folder (default ./vendor-data)")
    common.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default sqlite in the data folder)")
    common.add_argument("--keys", type=Path, metavar="DIR", help="signing keys folder (default DATA/keys)")

    parser = argparse.ArgumentParser(prog="pmv-vendor", description="PMV vendor server and tools")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", parents=[common], help="run the vendor API server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (they share only the database; default 1)")

    add_staff_parser(sub, common)
    sub.add_parser("demo-data", parents=[common],
                   help="fill a new database with demo staff (passwords printed), shops, contracts and tickets")

    add_shop = sub.add_parser("add-shop", parents=[common], help="register a shop and print its token")
    add_shop.add_argument("--shop-id", required=True)
    add_shop.add_argument("--name", required=True)
    add_shop.add_argument("--address", help="the shop's address (kept when not given)")
    add_shop.add_argument("--phone", help="the shop's phone (kept when not given)")
    add_enrol_parser(sub, common)

    issue = sub.add_parser("issue-contract", parents=[common], help="sign and store a shop's contract")
    issue.add_argument("--shop-id", required=True)
    issue.add_argument("--shop-name", help="default: the name the shop was registered with")
    issue.add_argument("--package", required=True, help="package code, e.g. PMV-GOLD-PRO")
    issue.add_argument("--warranty-months", type=int, choices=[6, 12], required=True)
    issue.add_argument("--accepted-on", type=_date, required=True, help="acceptance (nghiệm thu) date")
    issue.add_argument("--maintenance", type=_maintenance, action="append", default=[],
                       metavar="START:END[:TIER]", help="a yearly maintenance contract (repeatable)")
    issue.add_argument("--out", type=Path, help="also write the signed document here (for file import)")
    issue.add_argument("--contract-number", metavar="TEXT",
                       help="the contract's number as printed on the certificate (default HD-SHOPID-NNN, "
                            "NNN counting this shop's contracts)")
    # The vendor's own identity, signed into every contract so each shop's certificate names it: the config's
    # [vendor] table (name, address, tax_code, hotline), each overridable here.
    issue.add_argument("--vendor-name", metavar="TEXT", help="the vendor's company name (default: config [vendor])")
    issue.add_argument("--vendor-address", metavar="TEXT", help="the vendor's registered address")
    issue.add_argument("--vendor-tax-code", metavar="MST", help="the vendor's tax code: 10 digits, or 10-3 digits")
    issue.add_argument("--vendor-hotline", metavar="PHONE", help=f"the vendor's hotline, e.g. {HOTLINE}")
    issue.add_argument("--no-telemetry", dest="telemetry", action="store_false",
                       help="the shop sends the app version only in its heartbeat (it declined telemetry)")

    keys = sub.add_parser("keys", help="manage signing keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    init = keys_sub.add_parser("init", parents=[common], help="create the signing keys if missing")
    init.add_argument("--export", type=Path, metavar="FILE", help="write the public keys (vendor_keys.json form)")

    sign = sub.add_parser("sign-challenge", parents=[common],
                          help="sign a shop's technician challenge and print the unlock code")
    sign.add_argument("challenge", metavar="CHALLENGE", help="the challenge shown by the shop's app")
    sign.add_argument("--technician", required=True, metavar="NAME", help="the technician's name")
    sign.add_argument("--ttl-hours", type=float, default=2.0, metavar="HOURS",
                      help="how long the unlock lasts (default 2)")

    add_ticket_commands(sub, common)
    fleet_cli.add_parsers(sub, common)

    repo_common = argparse.ArgumentParser(add_help=False, parents=[common])
    repo_common.add_argument("--repo", type=Path, metavar="DIR", help="TUF repository folder (default DATA/tuf)")
    repo_common.add_argument("--repo-keys", type=Path, metavar="DIR",
                             help="TUF signing keys folder (default DATA/tuf-keys)")
    repo = sub.add_parser("repo", help="publish signed updates (the TUF repository served at /tuf/)")
    repo_sub = repo.add_subparsers(dest="repo_command", required=True)
    repo_init = repo_sub.add_parser("init", parents=[repo_common], help="create the keys and the first metadata")
    repo_init.add_argument("--root-threshold", type=int, default=1, metavar="N",
                           help="root keys needed to sign a new root (default 1)")
    repo_init.add_argument("--export-root", type=Path, metavar="FILE",
                           help="also write root.json here; for a release, the app's trust anchor "
                                "resources/tuf/root.json (read from there by every install)")
    repo_add = repo_sub.add_parser("add", parents=[repo_common],
                                   help="publish a regulation pack, working calendar, app build or POS profile")
    repo_add.add_argument("file", type=Path, metavar="FILE")
    repo_add.add_argument("--kind", required=True, help="regulation | calendar | app | pos-profile")
    repo_add.add_argument("--version", required=True)
    repo_add.add_argument("--id", dest="target_id", help="pack / profile id (default: from the file name)")
    repo_add.add_argument("--effective-date", help="YYYY-MM-DD the rules take effect")
    repo_add.add_argument("--channel", default="stable", help="stable | beta")
    repo_add.add_argument("--title", default="", help="Vietnamese title shown to the shop")
    repo_add.add_argument("--summary", default="", help="Vietnamese summary shown to the shop")
    repo_add.add_argument("--min-app-version", help="oldest app version that can use it")
    repo_add.add_argument("--rollout-percent", help="staged rollout: share of shops (0-100) that take it")
    repo_sub.add_parser("refresh", parents=[repo_common],
                        help="re-sign snapshot and timestamp with a new expiry (run daily)")
    rotate = repo_sub.add_parser("rotate", parents=[repo_common], help="replace a role's key (new root version)")
    rotate.add_argument("role", help="root | targets | snapshot | timestamp")
    export = repo_sub.add_parser("export-offline", parents=[repo_common],
                                 help="copy the signed metadata and the current updates to a folder (a USB stick) "
                                      "for a shop without Internet")
    export.add_argument("folder", type=Path, metavar="DIR",
                        help="an empty or new folder, or one this command made before (replaced whole)")
    export.add_argument("--kinds", default="app,pack,calendar", metavar="LIST",
                        help="what to copy besides the metadata: app, pack, calendar (default all three)")
    return parser


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if args.config is not None:
        try:
            config = tomllib.loads(args.config.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise VendorCliError(f"cannot read {args.config}: {exc}") from None
    data = Path(args.data or config.get("data") or "vendor-data")
    return {
        "data": data,
        "db": args.db or config.get("db") or f"sqlite:///{(data / 'vendor.sqlite3').resolve()}",
        "keys": Path(args.keys or config.get("keys") or data / "keys"),
        "host": getattr(args, "host", None) or config.get("host") or "127.0.0.1",
        "port": int(getattr(args, "port", None) or config.get("port") or 8000),
        "tuf_repo": Path(getattr(args, "repo", None) or config.get("tuf_repo") or data / "tuf"),
        "tuf_keys": Path(getattr(args, "repo_keys", None) or config.get("tuf_keys") or data / "tuf-keys"),
        "vendor": config.get("vendor") or {},
        "fleet": config.get("fleet", {}),
        "releases": config.get("releases", {}),
        "auto_close_working_days": _working_days(config.get("auto_close_working_days",
                                                            DEFAULT_AUTO_CLOSE_WORKING_DAYS)),
    }


def _working_days(value: Any) -> int:
    """``auto_close_working_days``: a whole number of working days, at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise VendorCliError(f"auto_close_working_days in the config must be a whole number of days, at least 1, "
                             f"not {value!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        settings["data"].mkdir(parents=True, exist_ok=True)
        if args.command == "serve":
            return _serve(settings, args.workers)
        if args.command == "add-shop":
            token = VendorDatabase(settings["db"]).add_shop(args.shop_id, args.name, address=args.address,
                                                            phone=args.phone)
            print(json.dumps({"shop_id": args.shop_id, "token": token}))
            return 0
        if args.command == "issue-contract":
            return _issue(args, settings)
        if args.command == "sign-challenge":
            return _sign_challenge(args, settings)
        if args.command == "ticket":
            return run_ticket_command(args, settings)
        if args.command == "staff":
            return run_staff_command(args, settings)
        if args.command == "enrol":
            return run_enrol_command(args, settings)
        if args.command == "fleet":
            return fleet_cli.run(args, settings)
        if args.command == "demo-data":
            from vendor_server.demo_data import seed

            try:
                shown = seed(VendorDatabase(settings["db"]), settings["data"], settings["keys"],
                             dt.datetime.now(dt.UTC))
            except ValueError as exc:
                raise VendorCliError(str(exc)) from None
            print(json.dumps(shown, ensure_ascii=False, indent=2))
            return 0
        if args.command == "repo":
            return _repo(args, settings)
        if args.command == "keys":
            public = VendorKeys(settings["keys"]).init()
            if args.export:
                VendorKeys(settings["keys"]).write_public(args.export)
            print(json.dumps(public, indent=2))
            return 0
    except (VendorCliError, TicketCommandError, StaffCommandError, EnrolCommandError, VendorKeyError, ContractError,
            LookupError, OSError) as exc:
        print(f"pmv-vendor: error: {exc}", file=sys.stderr)
        return 1
    return 2


def _issue(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    vendor = _vendor_block(args, settings["vendor"])
    issued = issue_contract(VendorDatabase(settings["db"]), settings["keys"], shop_id=args.shop_id,
                            package=args.package, warranty_months=args.warranty_months,
                            accepted_on=args.accepted_on, maintenance=args.maintenance, vendor=vendor,
                            contract_number=args.contract_number, shop_name=args.shop_name,
                            telemetry=args.telemetry, now=dt.datetime.now(dt.UTC))
    if args.out:
        args.out.write_text(issued.text + "\n", encoding="utf-8")
    print(issued.text)
    if "name" not in vendor or "tax_code" not in vendor:
        print("pmv-vendor: warning: issued without the vendor's name or tax code ([vendor] in --config, or "
              "--vendor-name and --vendor-tax-code); the shop's certificate will not name the company",
              file=sys.stderr)
    return 0


def _identity(config: Any) -> dict[str, str]:
    """The [vendor] block of the config as the console writes it into contracts (blank fields left out)."""
    if not isinstance(config, dict):
        raise VendorCliError("[vendor] in the config must be a table (name, address, tax_code, hotline)")
    return {key: str(value).strip() for key, value in config.items()
            if key in ("name", "address", "tax_code", "hotline") and isinstance(value, str) and value.strip()}


def _vendor_block(args: argparse.Namespace, config: Any) -> dict[str, str]:
    """The vendor's identity: each field from its option, else the config's [vendor] table; blanks left out.

    The values are checked when the payload is signed (pmv_protocol.vendor_identity: a tax code of the legal
    shape, a hotline that is a phone number), so a typo stops here, not on every shop's certificate."""
    if not isinstance(config, dict):
        raise VendorCliError("[vendor] in the config must be a table (name, address, tax_code, hotline)")
    given = {"name": args.vendor_name, "address": args.vendor_address, "tax_code": args.vendor_tax_code,
             "hotline": args.vendor_hotline}
    block = {}
    for key, option in given.items():
        value = option if option is not None else config.get(key)
        if value is not None and not isinstance(value, str):
            raise VendorCliError(f"[vendor] {key} in the config must be text, got {value!r}")
        if value and value.strip():
            block[key] = value.strip()
    return block


def _sign_challenge(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    if not 0 < args.ttl_hours <= 24 * 7:
        raise VendorCliError(f"--ttl-hours must be more than 0 and at most 168, not {args.ttl_hours}")
    private_key = VendorKeys(settings["keys"]).private("technician")
    try:
        code = sign_challenge(args.challenge, args.technician, private_key, dt.datetime.now(dt.UTC),
                              ttl=dt.timedelta(hours=args.ttl_hours))
    except UnlockError as exc:
        raise VendorCliError(f"bad challenge {args.challenge!r}: {exc.detail or exc.reason.value}") from None
    except ValueError as exc:
        raise VendorCliError(str(exc)) from None
    print(code)
    return 0


def _repo(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    # Imported here so the other commands run without python-tuf installed.
    from vendor_server import tuf_repo

    try:
        return _repo_command(args, settings["tuf_repo"], settings["tuf_keys"], tuf_repo)
    except tuf_repo.TufRepoError as exc:
        raise VendorCliError(str(exc)) from None


def _repo_command(args: argparse.Namespace, repo: Path, keys: Path, tuf_repo: Any) -> int:
    result: Any
    if args.repo_command == "init":
        result = tuf_repo.init_repo(repo, keys, root_threshold=args.root_threshold)
        if args.export_root:
            args.export_root.write_bytes(tuf_repo.VendorRepository(repo, keys).root_bytes())
            result["exported_root"] = str(args.export_root)
    elif args.repo_command == "add":
        rollout = None
        if args.rollout_percent is not None:
            rollout = natural(args.rollout_percent.strip())
            if rollout is None:
                raise tuf_repo.TufRepoError(f"rollout percent must be 0..100, got {args.rollout_percent!r}")
        published = tuf_repo.add_target(
            repo, keys, args.file, kind=args.kind, version=args.version, effective_date=args.effective_date,
            channel=args.channel, min_app_version=args.min_app_version, title_vi=args.title,
            summary_vi=args.summary, rollout_percent=rollout, target_id=args.target_id)
        result = vars(published)
    elif args.repo_command == "refresh":
        result = tuf_repo.refresh(repo, keys)
    elif args.repo_command == "export-offline":
        from vendor_server.releases.offline import export_offline, parse_kinds

        made = export_offline(tuf_repo.VendorRepository(repo, keys), args.folder, kinds=parse_kinds(args.kinds),
                              now=dt.datetime.now(dt.UTC))
        result = {"folder": str(made.folder), "made_at": made.made_at.isoformat(),
                  "expires": made.expires.isoformat(), "metadata": list(made.metadata),
                  "targets": list(made.targets), "bytes": made.bytes}
    else:
        result = tuf_repo.rotate_key(repo, keys, args.role)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _table(settings: dict[str, Any], name: str) -> dict[str, Any]:
    block = settings[name]
    if not isinstance(block, dict):
        raise VendorCliError(f"[{name}] in the config must be a table, not {block!r}")
    try:
        json.dumps(block)  # --workers hands it to each worker as JSON
    except (TypeError, ValueError):
        raise VendorCliError(f"[{name}] in the config holds a value that is not a number, text or list") from None
    return block


def server_tables(settings: dict[str, Any]) -> tuple[FleetSettings, ReleaseSettings]:
    """The config's ``[fleet]`` and ``[releases]`` tables, checked (VendorCliError naming the bad key)."""
    try:
        return (FleetSettings.from_mapping(_table(settings, "fleet")),
                ReleaseSettings.from_mapping(_table(settings, "releases")))
    except ValueError as exc:  # from_mapping's message names the table and the key
        raise VendorCliError(str(exc)) from None


def _serve(settings: dict[str, Any], workers: int = 1) -> int:
    import os

    import uvicorn

    from vendor_server import asgi
    from vendor_server.app import create_app

    if workers < 1:
        raise VendorCliError(f"--workers must be at least 1, not {workers}")
    fleet, releases = server_tables(settings)  # a bad [fleet] or [releases] stops here, before anything starts
    db = VendorDatabase(settings["db"])  # migrated once here, before any worker starts
    host = settings["host"]
    shown = f"[{host}]" if ":" in host else host
    print(f"PMV vendor server: API at http://{shown}:{settings['port']}/api/v1, staff console at "
          f"http://{shown}:{settings['port']}/console (accounts: pmv-vendor staff add)", flush=True)
    if workers > 1:
        os.environ.update({asgi.DB_ENV: settings["db"], asgi.DATA_ENV: str(settings["data"]),
                           asgi.AUTO_CLOSE_ENV: str(settings["auto_close_working_days"]),
                           asgi.KEYS_ENV: str(settings["keys"]),
                           asgi.VENDOR_ENV: json.dumps(_identity(settings["vendor"]), ensure_ascii=False),
                           asgi.FLEET_ENV: json.dumps(settings["fleet"], ensure_ascii=False),
                           asgi.RELEASES_ENV: json.dumps(settings["releases"], ensure_ascii=False),
                           asgi.TUF_REPO_ENV: str(settings["tuf_repo"]), asgi.TUF_KEYS_ENV: str(settings["tuf_keys"])})
        uvicorn.run("vendor_server.asgi:create", factory=True, host=host, port=settings["port"], workers=workers,
                    log_level="info")
        return 0
    app = create_app(db, settings["data"], auto_close_working_days=settings["auto_close_working_days"],
                     keys_dir=settings["keys"], vendor_identity=_identity(settings["vendor"]), fleet=fleet,
                     releases=releases, tuf_repo_dir=settings["tuf_repo"], tuf_keys_dir=settings["tuf_keys"])
    uvicorn.run(app, host=host, port=settings["port"], log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
