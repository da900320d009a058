"""When a pack takes effect, in words: light to import (no data layer), so the overview's tile shows it first."""

from __future__ import annotations

import datetime as dt

from app.infra.formatting import format_date
from app.ui.i18n import tr_args, translate


def effective_text(day: dt.date, today: dt.date) -> str:
    if day > today:
        days = (day - today).days
        # lupdate takes no count from translate(): English's singular is its own message, disambiguated "one"
        text = (translate("UpdateTexts", "có hiệu lực từ %1 (còn %2 ngày)", "one") if days == 1
                else translate("UpdateTexts", "có hiệu lực từ %1 (còn %2 ngày)"))
        return tr_args(text, format_date(day), days)
    return tr_args(translate("UpdateTexts", "đã có hiệu lực từ %1"), format_date(day))
