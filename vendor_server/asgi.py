"""The vendor server as an app factory, for ``pmv-vendor serve --workers N`` (uvicorn starts N processes).

Each worker process imports this module and calls :func:`create` (uvicorn's ``factory=True``) to build the
app from what ``serve`` put in the environment; they share nothing but the database (sessions, throttles and
locks live there), so any worker serves any request.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI

from vendor_server.app import create_app
from vendor_server.db import VendorDatabase
from vendor_server.fleet.settings import FleetSettings
from vendor_server.releases.settings import ReleaseSettings

DB_ENV = "PMV_VENDOR_DB"
DATA_ENV = "PMV_VENDOR_DATA"
AUTO_CLOSE_ENV = "PMV_VENDOR_AUTO_CLOSE_DAYS"
KEYS_ENV = "PMV_VENDOR_KEYS"
VENDOR_ENV = "PMV_VENDOR_IDENTITY"  # JSON of the config's [vendor] block
FLEET_ENV = "PMV_VENDOR_FLEET"  # JSON of the config's [fleet] table
RELEASES_ENV = "PMV_VENDOR_RELEASES"  # JSON of the config's [releases] table
TUF_REPO_ENV = "PMV_VENDOR_TUF_REPO"
TUF_KEYS_ENV = "PMV_VENDOR_TUF_KEYS"


def create() -> FastAPI:
    url = os.environ.get(DB_ENV)
    if not url:
        raise RuntimeError(f"{DB_ENV} is not set: start the workers with pmv-vendor serve --workers N")
    data = Path(os.environ[DATA_ENV])
    return create_app(VendorDatabase(url), data, auto_close_working_days=int(os.environ.get(AUTO_CLOSE_ENV, "5")),
                      keys_dir=Path(os.environ.get(KEYS_ENV) or data / "keys"),
                      vendor_identity=json.loads(os.environ.get(VENDOR_ENV) or "{}"),
                      fleet=FleetSettings.from_mapping(json.loads(os.environ.get(FLEET_ENV) or "{}")),
                      releases=ReleaseSettings.from_mapping(json.loads(os.environ.get(RELEASES_ENV) or "{}")),
                      tuf_repo_dir=Path(os.environ.get(TUF_REPO_ENV) or data / "tuf"),
                      tuf_keys_dir=Path(os.environ.get(TUF_KEYS_ENV) or data / "tuf-keys"))

