"""The fleet's words: every check the shop's app runs has its title here (the app's own), in both languages, and
every word the fleet's pages hand to ``_()`` from code has its English."""

from __future__ import annotations

from app.health.registry import default_checks  # read here only: the server never imports the app
from vendor_server.console import words as console_words
from vendor_server.fleet.console_routes import BUCKET_WORDS
from vendor_server.fleet.words import CHECK_TITLES, ENGLISH, check_title


def test_every_check_of_the_app_has_its_title_as_the_app_writes_it() -> None:
    checks = {check.id: check.title for check in default_checks()}
    assert len(checks) >= 15  # the scan found the app's checks
    assert {check_id: CHECK_TITLES[check_id][0] for check_id in checks if check_id in CHECK_TITLES} == checks


def test_every_title_and_bucket_has_its_english_in_the_consoles_table() -> None:
    for vietnamese, english in CHECK_TITLES.values():
        assert console_words.translator("en")(vietnamese) == english != vietnamese
    for vietnamese in BUCKET_WORDS.values():
        assert vietnamese in ENGLISH and console_words.ENGLISH[vietnamese] != vietnamese


def test_an_unknown_check_is_named_by_its_id() -> None:
    assert check_title("backup.age") == "Sao lưu dữ liệu"
    assert check_title("printer.paper") == "printer.paper"
