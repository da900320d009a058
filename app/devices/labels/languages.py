"""The printer command languages a shop's label printers speak."""

from __future__ import annotations

from enum import StrEnum


class PrinterLanguage(StrEnum):
    ZPL = "zpl"  # Zebra, and the "ZPL emulation" mode of most others
    TSPL = "tspl"  # TSC, Xprinter and most low-cost Chinese printers
    EZPL = "ezpl"  # Godex

    @classmethod
    def parse(cls, value: str | PrinterLanguage) -> PrinterLanguage:
        try:
            return cls(str(getattr(value, "value", value)).strip().lower())
        except ValueError:
            raise ValueError(f"unknown printer language {value!r} (zpl, tspl, ezpl)") from None
