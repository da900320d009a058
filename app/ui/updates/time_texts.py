"""When a pack takes effect, in words: light to import (no data layer), so the overview's tile shows it first."""

from __future__ import annotations

import datetime as dt

from app.infra.formatting import format_date
from app.ui.i18n import tr_args, translate


def effective_text(day: dt.date, today: dt.date) -> str:
    if day > today:
        return tr_args(translate("UpdateTexts", "có hiệu lực từ %1 (còn %2 ngày)"), format_date(day),
                       (day - today).days)
    return tr_args(translate("UpdateTexts", "đã có hiệu lực từ %1"), format_date(day))
