"""Headless Chromium from Debian (``chromium`` + ``chromium-driver``) driven by Selenium, for the console's tests.

Skipped when chromium is not installed, except under CI (``CI=true``), where a missing browser fails: .ci/run
installs it.  The browser runs without libfaketime even in the run with the clock moved (it would not start
under it); the server's clock is injected, so nothing here depends on the machine's date anyway.
``CONSOLE_SCREENSHOTS=DIR`` keeps a PNG of every page the tests visit, for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if CHROMIUM is None or DRIVER is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768",
                     "--lang=vi", "--disable-gpu", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(argument)
    unfaked = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC")
    environment = {k: v for k, v in os.environ.items() if k not in unfaked}
    service = Service(DRIVER, env=environment)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
