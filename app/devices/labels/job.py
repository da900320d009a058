"""Verify, render, send: the one path a tag takes to a printer."""

from __future__ import annotations

from collections.abc import Callable

from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.model import JewelleryTag, LabelTemplate
from app.devices.labels.render import render_job
from app.devices.labels.transports import send
from app.devices.labels.verify import Decoder, Verification, decode_tag_codes, require_verified


def prepare_job(tag: JewelleryTag, template: LabelTemplate, language: PrinterLanguage | str, dpi: int,
                *, font: str | None = None, decoder: Decoder = decode_tag_codes) -> tuple[bytes, Verification]:
    """The printer's bytes, only after the barcode has been proven to fit and decode.

    Raises :class:`~app.devices.labels.layout.TagRefused` otherwise.
    """
    verification = require_verified(tag, template, dpi, decoder=decoder)
    return render_job(tag, template, language, dpi, font=font), verification


def print_tag(tag: JewelleryTag, template: LabelTemplate, language: PrinterLanguage | str, dpi: int,
              target: str, *, font: str | None = None, timeout: float = 5,
              sender: Callable[[bytes, str, float], None] = send,
              decoder: Decoder = decode_tag_codes) -> Verification:
    data, verification = prepare_job(tag, template, language, dpi, font=font, decoder=decoder)
    sender(data, target, timeout)
    return verification
