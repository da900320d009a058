"""The suite's guard against pytest walking the logger table while a worker thread adds to it (tests/conftest.py)."""

from __future__ import annotations

import logging
import threading

PREFIX = "tests.logger_table."


def test_walking_the_logger_table_survives_a_thread_making_loggers() -> None:
    # What pytest's log capture does at every setup (for logger in manager.loggerDict.values()), against what a
    # worker thread importing a module does (logging.getLogger(new name)). On a plain dict the walk raises
    # "dictionary changed size during iteration" as soon as the maker thread gets the GIL in the middle of it.
    made = threading.Event()

    def make_loggers() -> None:
        for n in range(5_000):
            logging.getLogger(f"{PREFIX}{n}")
        made.set()

    maker = threading.Thread(target=make_loggers)
    try:
        maker.start()
        walks = 0
        while not made.is_set():
            for logger in logging.Logger.manager.loggerDict.values():
                if isinstance(logger, logging.Logger) and logger.name == "never":
                    break
            walks += 1
    finally:
        maker.join()
        for name in [n for n in logging.Logger.manager.loggerDict if n.startswith(PREFIX)]:
            del logging.Logger.manager.loggerDict[name]
    assert walks > 1  # the walks really overlapped the making
