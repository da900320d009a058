"""English counts: "1 open request", "2 open requests".

The rule comes from English grammar as CLDR writes it (plural rules, English: the form *one* for exactly 1, *other*
for every other number, 0 included; https://www.unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html).
Vietnamese has one form, so its source texts never change with the count.

Qt keeps both English forms of a text whose ``tr()`` call passes the count (``numerus="yes"`` in the catalogue).
lupdate reads no count from ``translate()``, so the texts modules give English's singular a message of its own,
disambiguated ``"one"``.  The tests read the real catalogue (``pmv_support_en.qm``) through the real widgets.
A ``tr()`` call that loses its count is caught by ``tools/i18n.py check`` (tests/unit/test_translations.py):
lupdate no longer reads the message as a count, so its English goes back to unfinished.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from app.fleet.service import TelemetryStatus
from app.setup.enrolment import EnrolFailure, EnrolmentError
from app.support.bundle import BundlePart
from app.support.redaction import RedactionKind
from app.support.status import RequestStatus
from app.ui.fleet.texts import last_report
from app.ui.setup.texts import enrol_failure_text
from app.ui.support.texts import bundle_part_label
from app.ui.support.tile import SupportTile
from app.ui.updates.texts import usb_refusal_text
from app.ui.updates.tile import UpdatesTile
from app.ui.updates.time_texts import effective_text
from app.ui.warranty.tile import WarrantyTile
from app.updates.offline import OfflineCopyRefused, OfflineRefusal
from app.updates.pack_folders import InstalledPack
from app.updates.targets import UpdateErrorKind
from app.warranty.cache import WarrantySnapshot
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import coverage_on
from tests.gui.languages import english_installed
from tests.helpers import contract_payload

CATALOGUE = Path(__file__).resolve().parents[2] / "resources" / "translations" / "pmv_support_en.ts"
TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)

# English texts that put a number before a plural noun without a singular form, each because the number is never 1.
NEVER_ONE = {
    ("FleetTexts", "%1 minutes"): "the heartbeat period: settings allow 5 to 1440 minutes",
    ("HealthCheck", "%1 ms"): "a unit symbol, the same for every number",
    ("HealthCheck", "%2 ms"): "a unit symbol, the same for every number",
    ("HealthCheck", "%3 ms"): "a unit symbol, the same for every number",
    ("HealthCheck", "%2 bytes"): "a backup's unpacked size or its limit (megabytes): never one byte",
    ("HealthCheck", "%3 bytes"): "the backup's unpack limit (megabytes): never one byte",
    ("HealthCheck", "%1 days"): "said only past 3 days (app/health/registry.py, updates.current)",
    ("HealthCheck", "%2 gold types"): "stale types are named only beside fresh ones: two types at least (pos_data.py)",
    ("MaintenanceTab", "%1 ms"): "a unit symbol, the same for every number",
    ("Notices", "%1 days"): "said only for 2 days or more; 1 day has its own sentence (notices.py)",
    ("PrinterTab", "%1 bytes"): "a tag's printer program is never one byte",
    ("ScannerTab", "%1 keys"): "keys/s, a rate",
    ("SettingsProblems", "%1 Fix this"): "not a count: %1 is the problem's own sentence, and this one follows it",
    ("SupportTexts", "%1 characters"): "a fixed maximum length",
    ("SupportTexts", "%1 files"): "a fixed maximum number of files per message",
    ("ThreadView", "%1 characters"): "a fixed maximum length",
    ("WarrantyPage", "%1 months"): "a warranty is 6 or 12 months (the vendor's policy, shared/seed)",
}
# "Version %1 is …", "%1 unpacks to …", "%5 counts as …": a verb (or "as") after the number.
NOT_NOUNS = {"is", "has", "was", "does", "needs", "means", "unpacks", "counts", "as"}


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    with english_installed(qapp):
        yield


def _messages() -> Iterator[tuple[str, ET.Element, set[str]]]:
    for context in ET.parse(CATALOGUE).getroot().iter("context"):
        messages = list(context.iter("message"))
        singular_of = {m.findtext("source", "") for m in messages if m.findtext("comment") == "one"}
        for message in messages:
            yield context.findtext("name", ""), message, singular_of


def test_every_count_before_a_plural_noun_has_its_english_singular() -> None:
    unguarded = []
    for context, message, singular_of in _messages():
        if message.get("numerus") == "yes" or message.findtext("source", "") in singular_of:
            continue
        text = message.findtext("translation") or ""
        for hit in re.finditer(r"%\d+ (?:[\w-]+ )?([a-z]+s)\b|%\d+ \w+\(s\)", text):
            if hit.group(1) not in NOT_NOUNS and (context, hit.group(0)) not in NEVER_ONE:
                unguarded.append(f"{context}: {text}")
    assert unguarded == []


def test_each_counted_text_gives_english_singular_for_one_and_plural_otherwise(english: None) -> None:
    counted = [(context, message.findtext("source", ""), message.findtext("comment") or "")
               for context, message, _ in _messages() if message.get("numerus") == "yes"]
    assert len(counted) >= 15
    for context, source, comment in counted:
        one, two, zero = (QCoreApplication.translate(context, source, comment, n) for n in (1, 2, 0))
        assert one != two and two == zero, (context, source)  # CLDR: 0 takes the plural in English
        assert one != source and two != source, (context, source)
        # The forms in Qt's order, singular first: an English plural only adds ("tag" -> "tags", "it" -> "they").
        assert len(two) > len(one), (context, source, one, two)


def _pack(index: int, effective: dt.date) -> InstalledPack:
    return InstalledPack(f"pack-{index}", "1", f"Gói {index}", effective, Path(f"/packs/pack-{index}"), None)


def test_the_packs_tile_counts_in_english_and_vietnamese(qapp: QApplication) -> None:
    tile = UpdatesTile(shop_today=lambda: TODAY)
    tile.show_packs([_pack(1, TODAY + dt.timedelta(days=1))])
    assert tile.value_label.text() == "1 gói đã cài"
    assert "(còn 1 ngày)" in tile.detail_label.text()
    with english_installed(qapp):
        tile.show_packs([_pack(1, TODAY + dt.timedelta(days=1))])
        assert tile.value_label.text() == "1 pack installed"
        assert tile.detail_label.text().endswith("in force from 11/03/2026 (1 day to go)")
        tile.show_packs([_pack(1, TODAY + dt.timedelta(days=2)), _pack(2, TODAY)])
        assert tile.value_label.text() == "2 packs installed"
        assert "in force from 12/03/2026 (2 days to go)" in tile.detail_label.text()


@dataclass(frozen=True)
class Listed:
    status: RequestStatus
    response_due_at: dt.datetime | None = None


def test_the_support_tile_counts_requests_and_messages(english: None) -> None:
    tile = SupportTile(clock=lambda: NOW)
    tile.show_first_read([Listed(RequestStatus.PENDING)], unread=1)
    assert tile.value_label.text() == "1 open request"
    assert "1 request not sent yet – it will be sent automatically." in tile.detail_label.text()
    assert "1 new message from the support team" in tile.detail_label.text()
    tile.show_first_read([Listed(RequestStatus.PENDING), Listed(RequestStatus.PENDING)], unread=3)
    assert tile.value_label.text() == "2 open requests"
    assert "2 requests not sent yet – they will be sent automatically." in tile.detail_label.text()
    assert "3 new messages from the support team" in tile.detail_label.text()


def test_the_warranty_tile_says_one_day_left(english: None) -> None:
    contract = Contract.from_payload(contract_payload())  # accepted 15/01/2026, 12 months, no maintenance
    by_days = {}
    for offset in range(400):
        day = dt.date(2026, 12, 1) + dt.timedelta(days=offset)
        by_days.setdefault(coverage_on(contract, day).days_left, day)
    tile = WarrantyTile()
    for days, words in ((1, "1 day left"), (2, "2 days left")):
        tile.show_snapshot(WarrantySnapshot(contract, coverage_on(contract, by_days[days]), by_days[days]))
        assert tile.detail_label.text().startswith(words + " (through ")


def test_the_texts_modules_have_their_singular(english: None) -> None:
    assert effective_text(TODAY + dt.timedelta(days=1), TODAY).endswith("(1 day to go)")
    assert effective_text(TODAY + dt.timedelta(days=5), TODAY).endswith("(5 days to go)")
    one = BundlePart("app_log", "pmv-support.log", "", {RedactionKind.PHONE: 1})
    two = BundlePart("app_log", "pmv-support.log", "", {RedactionKind.PHONE: 1, RedactionKind.EMAIL: 1})
    assert bundle_part_label(one).endswith("(1 item hidden)")
    assert bundle_part_label(two).endswith("(2 items hidden)")
    assert last_report(TelemetryStatus(None, 15, None, 1)).endswith(
        "1 item is waiting; it is sent automatically when the network is back.")
    assert last_report(TelemetryStatus(None, 15, None, 4)).endswith(
        "4 items are waiting; they are sent automatically when the network is back.")


def test_the_setup_and_usb_refusals_have_their_singular(english: None) -> None:
    one_minute = enrol_failure_text(EnrolmentError(EnrolFailure.THROTTLED, retry_after=40))
    assert one_minute.startswith("Too many wrong tries. Try again in 1 minute, or call ")
    assert "in 3 minutes" in enrol_failure_text(EnrolmentError(EnrolFailure.THROTTLED, retry_after=150))
    expired = dt.datetime(2026, 3, 9, 5, 0, tzinfo=dt.UTC)
    for days, words in ((1, "(1 day ago)"), (2, "(2 days ago)")):
        error = OfflineCopyRefused(UpdateErrorKind.SECURITY, problem=OfflineRefusal.STALE, expired_at=expired,
                                   days_ago=days)
        assert f"expired on 09/03/2026 {words}." in usb_refusal_text(error)
