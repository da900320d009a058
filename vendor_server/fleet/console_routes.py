"""The console's fleet page (``/console/fleet``): every signed-in staff member may read it.

The counts, the most common failing checks, the shops per app and pack version, and what needs attention
(silent shops, shops with a critical check, open tickets the system opened) as :mod:`.view` reads them, on the
server's clock and the ``[fleet]`` settings.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vendor_server.console.web import Me, render
from vendor_server.fleet.view import BUCKETS, fleet_view
from vendor_server.routes.deps import Context

router = APIRouter(prefix="/console", include_in_schema=False)

# Each bucket's Vietnamese name (the page translates it) and the colour of its tile.
BUCKET_WORDS = {"healthy": "Ổn định", "warning": "Cảnh báo", "critical": "Nghiêm trọng", "silent": "Im lặng",
                "unknown": "Không rõ", "never": "Chưa gửi lần nào"}
BUCKET_COLOURS = {"healthy": "green", "warning": "amber", "critical": "red", "silent": "red", "unknown": "grey",
                  "never": "grey"}
assert set(BUCKET_WORDS) == set(BUCKETS) == set(BUCKET_COLOURS)


@router.get("/fleet")
def fleet(request: Request, context: Context, me: Me) -> Response:
    view = fleet_view(context.db, context.fleet, context.clock(), calendar=context.calendars.calendar())
    return render(request, "fleet.html", me=me, view=view, buckets=BUCKETS, bucket_words=BUCKET_WORDS,
                  bucket_colours=BUCKET_COLOURS, settings=context.fleet)
