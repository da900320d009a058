"""The console's shop pages: the list (and adding a shop), a shop's page (and making its enrolment code).

Adding a shop and making a code take a technician or above.  A code is shown once, on the page that made it
(the server keeps only its hash); the shop page says afterwards whether it is waiting, used (when, from
where) or expired.  Both acts are written to the audit log.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pmv_protocol.shop_time import shop_today
from vendor_server.console import audit, sessions
from vendor_server.console.accounts import Role
from vendor_server.console.shops import list_shops, shop_page
from vendor_server.console.web import Me, PageRefused, Posted, address_of, ensure_role, form_text, redirect, render
from vendor_server.enrolment import IssuedCode, create_code, latest_code
from vendor_server.routes.deps import Context, ServerContext
from vendor_server.shop_registry import ShopExists, register_shop

router = APIRouter(prefix="/console", include_in_schema=False)

SHOP_FIELDS = ("shop_id", "name", "address", "phone")
SHOP_ERRORS = {
    "invalid": "Thông tin cửa hàng chưa hợp lệ: mã cửa hàng 1–64 ký tự chữ, số, dấu chấm, gạch; tên không để trống; "
               "địa chỉ tối đa 300 ký tự, điện thoại tối đa 40.",
    "exists": "Mã cửa hàng này đã có: hãy mở cửa hàng đó trong danh sách.",
}


def _list_page(request: Request, context: ServerContext, me: sessions.SessionInfo, *, q: str = "", error: str = "",
               values: dict[str, str] | None = None, http_status: int = 200) -> Response:
    now = context.clock()
    rows = list_shops(context.db, shop_today(now), q, now=now, fleet=context.fleet,
                      calendar=context.calendars.calendar())
    return render(request, "shops.html", me=me, http_status=http_status, rows=rows, q=q,
                  error=SHOP_ERRORS.get(error, ""), values=values or {})


@router.get("/shops")
def shops(request: Request, context: Context, me: Me, q: str = "") -> Response:
    return _list_page(request, context, me, q=q)


@router.post("/shops")
def add_shop(request: Request, context: Context, sent: Posted) -> Response:
    me, form = sent
    ensure_role(context, request, me, Role.TECHNICIAN)
    values = {name: form_text(form, name) for name in SHOP_FIELDS}
    try:
        added = register_shop(context.db, values["shop_id"], values["name"], address=values["address"],
                              phone=values["phone"], now=context.clock())
    except ShopExists:
        return _list_page(request, context, me, error="exists", values=values, http_status=409)
    except ValueError:
        return _list_page(request, context, me, error="invalid", values=values, http_status=422)
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.SHOP_ADDED, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request), shop_id=added.shop_id, detail=added.name)
    return redirect(f"/console/shops/{quote(added.shop_id)}?added=1")


def _shop_page(request: Request, context: ServerContext, me: sessions.SessionInfo, shop_id: str, *,
               issued: IssuedCode | None = None, added: bool = False) -> Response:
    now = context.clock()
    page = shop_page(context.db, shop_id, shop_today(now), now=now, fleet=context.fleet,
                     calendar=context.calendars.calendar())
    if page is None:
        raise PageRefused(404, "Không có cửa hàng này.", me)
    return render(request, "shop.html", me=me, page=page, code=latest_code(context.db, shop_id, now=now),
                  issued=issued, added=added)


@router.get("/shops/{shop_id}")
def shop(request: Request, context: Context, me: Me, shop_id: str, added: str = "") -> Response:
    return _shop_page(request, context, me, shop_id, added=bool(added))


@router.post("/shops/{shop_id}/enrolment-code")
def make_enrolment_code(request: Request, context: Context, shop_id: str, sent: Posted) -> Response:
    """A new code, shown on the page it answers (never again); earlier unused codes of the shop stop working."""
    me, _form = sent
    ensure_role(context, request, me, Role.TECHNICIAN)
    try:
        issued = create_code(context.db, shop_id, now=context.clock(), created_by=me.staff.login,
                             staff_id=me.staff.id, address=address_of(request))
    except LookupError:
        raise PageRefused(404, "Không có cửa hàng này.", me) from None
    return _shop_page(request, context, me, shop_id, issued=issued)
