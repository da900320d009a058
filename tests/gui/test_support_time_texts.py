"""The support page's deadline words (app/ui/support/time_texts.py)."""

from __future__ import annotations

import datetime as dt

from app.ui.support.time_texts import deadline_text
from pmv_protocol import HOTLINE
from pmv_protocol.shop_time import SHOP_TZ

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHOP_TZ)


def test_no_deadline_does_not_tell_a_shop_still_being_installed_that_its_warranty_ended() -> None:
    """No deadline means no coverage on the day: before acceptance (the warranty has not begun, policy W1) as
    much as after it ran out.  The words must be true of both, and give the hotline."""
    text = deadline_text(None, NOW)
    assert "hết hạn" not in text and "bảo hành/bảo trì" in text and HOTLINE in text


def test_a_deadline_later_today_counts_down() -> None:
    text = deadline_text(NOW + dt.timedelta(hours=1, minutes=20), NOW)
    assert text == "Hạn đề xuất phương án: 11:20 hôm nay, còn 1 giờ 20 phút"
