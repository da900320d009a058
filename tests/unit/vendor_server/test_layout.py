"""The vendor server's shape: services without the web framework, routes without business rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("vendor_server.tickets", "vendor_server.records", "vendor_server.uploads", "vendor_server.attachments",
            "vendor_server.db", "vendor_server.timeline", "vendor_server.shop_acts", "vendor_server.staff_acts",
            "vendor_server.thread_records", "vendor_server.thread_tables", "vendor_server.enrolment",
            "vendor_server.enrolment_tables", "vendor_server.shop_registry",
            # the fleet and the releases (issue 23)
            "vendor_server.fleet.ingest", "vendor_server.fleet.silence", "vendor_server.fleet.proactive",
            "vendor_server.fleet.system_tickets", "vendor_server.releases.events", "vendor_server.releases.intake",
            "vendor_server.releases.rollouts", "vendor_server.releases.health", "vendor_server.releases.offline")


def test_services_import_without_the_web_framework() -> None:
    """The CLI, the tests and a future worker call the services directly; none of them needs FastAPI."""
    code = (f"import sys; import {', '.join(SERVICES)}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'starlette', 'uvicorn'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.stdout.strip() == "[]", result.stderr


def test_create_app_assembles_every_route() -> None:
    from vendor_server.app import create_app
    from vendor_server.db import VendorDatabase

    app = create_app(VendorDatabase("sqlite://"), ROOT / "nonexistent-data-dir")
    paths = {path: sorted(methods) for path, methods in app.openapi()["paths"].items()}
    assert paths == {"/healthz": ["get"], "/api/v1/contract": ["get"], "/api/v1/tickets": ["get", "post"],
                     "/api/v1/enrol": ["post"],  # the only write without a shop token
                     "/api/v1/tickets/{ticket_id}/attachments": ["post"],
                     # the conversation (pmv_protocol/thread.py)
                     "/api/v1/tickets/{ticket_id}/messages": ["get", "post"],
                     "/api/v1/tickets/{ticket_id}/decision": ["post"], "/api/v1/tickets/{ticket_id}/visit": ["post"],
                     "/api/v1/tickets/{ticket_id}/rating": ["post"], "/api/v1/tickets/{ticket_id}/reopen": ["post"],
                     "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}": ["get"],
                     # the fleet (pmv_protocol/fleet.py)
                     "/api/v1/heartbeat": ["post"], "/api/v1/events": ["post"]}
    assert {getattr(route, "path", None) for route in app.routes} >= {"/tuf/metadata", "/tuf/targets"}
