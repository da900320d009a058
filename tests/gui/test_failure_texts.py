"""Every failure a save or a file read can meet has words in both languages, on every surface that says it."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.cli_texts import MESSAGES, say
from app.storage.errors import StorageError, StorageFailure
from app.ui.failure_texts import failure_text, os_failure_text
from app.ui.start_texts import storage_error_text
from tests.gui.languages import english_installed


@pytest.mark.parametrize("failure", list(StorageFailure))
def test_every_storage_failure_has_words_in_the_window_at_start_up_and_on_the_command_line(
        qapp: QApplication, failure: StorageFailure) -> None:
    error = StorageError(failure, Path("/data/pmv-support.sqlite3"), "SQLite's own words")
    inline, at_start = failure_text(error), storage_error_text(error)
    assert inline and not inline.isascii() and "SQLite's own words" not in inline
    assert "/data/pmv-support.sqlite3" in at_start and "SQLite's own words" not in at_start
    assert f"storage_{failure.value}" in MESSAGES
    for language in ("vi", "en"):
        assert "/data/x.sqlite3" in say(f"storage_{failure.value}", language, path="/data/x.sqlite3")
    with english_installed(qapp):
        assert failure_text(error) != inline and failure_text(error).isascii()


@pytest.mark.parametrize(("number", "said"), [
    (errno.ENOSPC, "ổ đĩa đã đầy"), (errno.EIO, "ổ đĩa báo lỗi"), (errno.EINVAL, "ký tự không được phép"),
    (errno.ENAMETOOLONG, "quá dài"), (errno.EBUSY, "chương trình khác dùng"), (errno.ELOOP, "lỗi hệ thống số"),
])
def test_an_os_error_is_said_in_words_never_in_the_systems_english(qapp: QApplication, number: int,
                                                                  said: str) -> None:
    text = os_failure_text(OSError(number, "Some English from the system", "/tmp/.phieu-x.pdf", None,
                                   "/home/lan/phieu.pdf"))
    assert said in text and "English" not in text
    assert text.startswith("/home/lan/phieu.pdf: ")  # a rename's error: the place the cashier chose, not the temp file
