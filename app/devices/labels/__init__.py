"""Label printer test bench: jewellery tags, printer languages, transports, status, verification.

Qt-free.  Typical use::

    tag, template = demo_tag(), load_template()          # rat_tail_75x10
    verification = print_tag(tag, template, "zpl", 203, "tcp://192.168.1.50:9100")
    status = read_status("tcp://192.168.1.50:9100", "zpl")
"""

from __future__ import annotations

from app.devices.labels.job import prepare_job, print_tag
from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.layout import LayoutNote, TagRefused, VerifyProblem, layout_tag, min_module_dots
from app.devices.labels.model import (
    DEFAULT_TEMPLATE,
    JewelleryTag,
    LabelTemplate,
    TagFieldError,
    TemplateError,
    demo_tag,
    list_templates,
    load_template,
)
from app.devices.labels.preview import render_image, render_pdf, render_png
from app.devices.labels.render import ascii_fold, render_ezpl, render_job, render_tspl, render_zpl
from app.devices.labels.status import (
    PrinterFault,
    PrinterStatus,
    StatusReplyError,
    calibrate_command,
    parse_status,
    read_status,
    status_command,
    test_pattern_command,
)
from app.devices.labels.transports import (
    TransportError,
    TransportErrorKind,
    answers_status,
    query,
    send,
    transfer_seconds,
)
from app.devices.labels.verify import Verification, verify_tag

__all__ = [
    "DEFAULT_TEMPLATE", "JewelleryTag", "LabelTemplate", "LayoutNote", "PrinterFault", "PrinterLanguage",
    "PrinterStatus", "StatusReplyError", "TagFieldError", "TagRefused", "TemplateError", "TransportError",
    "TransportErrorKind",
    "Verification", "VerifyProblem", "answers_status", "ascii_fold", "calibrate_command", "demo_tag", "layout_tag",
    "list_templates", "load_template", "min_module_dots", "parse_status", "prepare_job", "print_tag", "query",
    "read_status", "render_ezpl", "render_image", "render_job", "render_pdf", "render_png", "render_tspl",
    "render_zpl", "send", "status_command", "test_pattern_command", "transfer_seconds", "verify_tag",
]
