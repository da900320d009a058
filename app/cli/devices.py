"""``devices`` and ``label``: the scanners found, the test sheet, a jewellery tag written or sent to a printer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CliError, interface, known, write_failed
from app.cli_texts import Msg, line

if TYPE_CHECKING:
    from app.devices.labels import JewelleryTag, LabelTemplate


def devices_command(args: argparse.Namespace) -> int:
    if args.devices_command == "test-sheet":
        from app.devices.test_sheet import SheetFormatError, write_test_sheet

        try:
            print(write_test_sheet(args.out))
        except SheetFormatError:
            raise CliError("sheet_not_pdf", name=args.out.name) from None
        except OSError as exc:
            raise write_failed(args.out, exc) from None
        return 0
    from dataclasses import asdict

    from app.devices.serial_scanner import list_ports

    print(json.dumps([asdict(port) for port in list_ports()], ensure_ascii=False, indent=2))
    return 0


def _template(name: str) -> LabelTemplate:
    """A shipped template by name, or a template file (NAME.json); refused with the names there are."""
    from app.devices.labels import TemplateError, list_templates, load_template

    if Path(name).suffix != ".json":
        names = list_templates()
        if name not in names:
            raise CliError("template_not_found", name=repr(name), choices=", ".join(names))
    elif not Path(name).is_file():
        raise CliError("template_file_not_found", path=name)
    try:
        return load_template(name)
    except TemplateError as exc:
        raise CliError("template_bad", name=name, detail=str(exc)) from None


def _tag_field(field: str, reason: str) -> CliError:
    from app.devices.labels.batch import MAX_RUN

    problem = Msg.of(known(f"tag_{reason}", "tag_other"),
                     detail=f"1–{MAX_RUN}" if reason == "out_of_range" else reason)
    return CliError("tag_field", field=Msg.of(known(f"field_{field}", "field_other"), name=field), problem=problem)


def label_command(args: argparse.Namespace) -> int:
    """Verify first (a tag whose barcode would not scan is refused), then write or send."""
    from dataclasses import replace

    from app.devices.labels import (
        TagFieldError,
        TagRefused,
        TransportError,
        demo_tag,
        layout_tag,
        prepare_job,
        render_pdf,
        render_png,
        send,
        transfer_seconds,
        verify_tag,
    )
    from pmv_protocol.atomic import write_atomically

    def refused(problem: object) -> CliError:
        return CliError("tag_refused", problem=Msg(known(f"verify_{getattr(problem, 'value', problem)}",
                                                          "verify_does_not_decode")))

    template = _template(args.template)
    try:
        tag = demo_tag()
        changes = {
            "item_code": args.item_code, "product_name": args.product, "purity_code": args.purity,
            "gross_weight_mg": args.gross_mg, "stone_weight_mg": args.stone_mg, "labour_vnd": args.labour,
            "price_vnd": args.price,
        }
        tag = replace(tag, **{key: value for key, value in changes.items() if value is not None})
        if args.label_lang in ("pdf", "png"):
            if args.count != 1:
                raise CliError("label_count_needs_printer")
            if args.send:
                raise CliError("label_file_only")
            problem = verify_tag(tag, template, args.dpi).problem
            if problem is not None:
                raise refused(problem)
            data = (render_pdf(tag, template, args.dpi) if args.label_lang == "pdf"
                    else render_png(tag, template, args.dpi))
        elif args.count != 1:
            data = _label_run(tag, template, args)
        else:
            data, _verification = prepare_job(tag, template, args.label_lang, args.dpi, font=args.font)
        note = layout_tag(tag, template, args.dpi).note  # a 2D code because Code 128 did not fit: say so
        if note is not None:
            language = interface.language
            print(line("note", Msg(f"layout_{note.value}"), language), file=sys.stderr)
        if args.out is not None:
            try:
                write_atomically(args.out, data)
            except OSError as exc:
                raise write_failed(args.out, exc) from None
            print(args.out)
        else:
            send(data, args.send, write_timeout=transfer_seconds(len(data), args.send))
            print(json.dumps({"sent": len(data), "to": args.send}))
    except TagFieldError as exc:
        raise _tag_field(exc.field, exc.reason) from None
    except TagRefused as exc:
        raise refused(exc.problem) from None
    except TransportError as exc:
        raise CliError("print_failed", target=args.send,
                       problem=Msg(known(f"transport_{exc.kind.value}", "transport_not_reachable"))) from None
    return 0


def _label_run(tag: JewelleryTag, template: LabelTemplate, args: argparse.Namespace) -> bytes:
    """The printer tab's "In loạt tem" from the command line: rendered and verified in the worker process."""
    import threading

    from app.devices.labels.batch import RunFailed, numbered_tags, render_run

    tags = numbered_tags(tag, args.count)  # TagFieldError: reported by the caller
    try:
        data = render_run(tags, template, args.label_lang, args.dpi, cancel=threading.Event(),
                          progress=lambda _fraction, _code: None, font=args.font)
    except RunFailed as exc:
        raise CliError("label_run_failed", detail=str(exc)) from None
    assert data is not None  # never cancelled here
    return data
