"""The vendor server as an import string, for ``pmv-vendor serve --workers N`` (uvicorn starts N processes).

Each worker process imports this module and builds the app from what ``serve`` put in the environment; they
share nothing but the database (sessions, throttles and locks live there), so any worker serves any request.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from vendor_server.app import create_app
from vendor_server.db import VendorDatabase

DB_ENV = "PMV_VENDOR_DB"
DATA_ENV = "PMV_VENDOR_DATA"
AUTO_CLOSE_ENV = "PMV_VENDOR_AUTO_CLOSE_DAYS"


def _app() -> FastAPI:
    url = os.environ.get(DB_ENV)
    if not url:
        raise RuntimeError(f"{DB_ENV} is not set: start the workers with pmv-vendor serve --workers N")
    return create_app(VendorDatabase(url), Path(os.environ[DATA_ENV]),
                      auto_close_working_days=int(os.environ.get(AUTO_CLOSE_ENV, "5")))


app = _app()
