"""The console's signing pages: a technician's unlock code, and a shop's contract (issued or renewed).

Both sign with the vendor's private keys, which stay on the server: the same services as
``pmv-vendor sign-challenge`` and ``pmv-vendor issue-contract``.  Both need a fresh second factor: a code
given at sign-in in the last 5 minutes, or a new one typed into the form (a session left open on a desk
does not sign anything).  Each signature is written to the audit log with its ticket, shop and reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pmv_protocol.contract import ContractError
from pmv_protocol.digits import natural
from pmv_protocol.shop_time import shop_today
from pmv_protocol.unlock_codes import UnlockError, parse_challenge, unlock_expiry
from vendor_server.console import accounts, audit, sessions
from vendor_server.console.accounts import Role, SignInRefused
from vendor_server.console.shops import list_shops, shop_page
from vendor_server.console.web import Me, PageRefused, Posted, address_of, ensure_role, form_text, render
from vendor_server.contract_issue import issue_contract
from vendor_server.db import Ticket
from vendor_server.keys import VendorKeyError, VendorKeys
from vendor_server.routes.deps import Context, ServerContext
from vendor_server.signing import sign_challenge

router = APIRouter(prefix="/console", include_in_schema=False)

CODE_HOURS = (1, 2, 4, 8)  # how long a code may open technician mode; the CLI allows up to a week
NO_KEYS = "Máy chủ chưa có khóa ký: quản trị viên chạy pmv-vendor keys init."
ERRORS = {
    "code": "Sai mã xác thực, hoặc mã đã được dùng. Hãy chờ mã mới.",
    "challenge": "Mã yêu cầu không đúng: hãy đọc lại mã trên màn hình của cửa hàng (thường do gõ nhầm).",
    "ticket": "Yêu cầu hỗ trợ này không phải của cửa hàng đã tạo mã yêu cầu.",
    "reason": "Hãy ghi lý do mở chế độ kỹ thuật viên.",
    "hours": "Hãy chọn thời hạn của mã.",
    "keys": NO_KEYS,
    "contract": "Hợp đồng chưa hợp lệ: hãy xem lại các ô đã nhập.",
    "shop": "Không có cửa hàng này.",
}



def fresh_second_factor(context: ServerContext, request: Request, me: sessions.SessionInfo, form: Any) -> bool:
    """True when the session's second factor is fresh, or the form's new code is right (then it is fresh)."""
    now = context.clock()
    if sessions.second_factor_fresh(me, now=now):
        return True
    try:
        accounts.check_totp(context.db, me.staff.id, form_text(form, "code"), now=now, address=address_of(request))
    except SignInRefused as refused:
        audit.record_alone(context.db, at=now, action=audit.Action.SECOND_FACTOR, outcome=audit.Outcome.REFUSED,
                           login=me.staff.login, staff_id=me.staff.id, address=address_of(request),
                           detail=f"{refused.code} for {request.url.path}")
        return False
    sessions.refresh_second_factor(context.db, me.id, now=now)
    return True


def _needs_code(context: ServerContext, me: sessions.SessionInfo) -> bool:
    return not sessions.second_factor_fresh(me, now=context.clock())


# --- technician codes ------------------------------------------------------------------------------------------

def _code_page(request: Request, context: ServerContext, me: sessions.SessionInfo, *, error: str = "",
               values: dict[str, str] | None = None, signed: dict[str, str] | None = None,
               http_status: int = 200) -> Response:
    return render(request, "technician_code.html", me=me, http_status=http_status, error=ERRORS.get(error, ""),
                  values=values or {}, signed=signed, hours=CODE_HOURS, needs_code=_needs_code(context, me))


@router.get("/technician-code")
def code_form(request: Request, context: Context, me: Me) -> Response:
    ensure_role(context, request, me, Role.TECHNICIAN)
    return _code_page(request, context, me)


@router.post("/technician-code")
def sign_code(request: Request, context: Context, sent: Posted) -> Response:
    me, form = sent
    ensure_role(context, request, me, Role.TECHNICIAN)
    values = {name: form_text(form, name) for name in ("challenge", "ticket", "reason", "hours")}
    if not fresh_second_factor(context, request, me, form):
        return _code_page(request, context, me, error="code", values=values, http_status=401)
    try:
        challenge = parse_challenge(values["challenge"])
    except UnlockError:
        return _code_page(request, context, me, error="challenge", values=values, http_status=422)
    number = values["ticket"].upper()
    with context.db.sessions() as session:
        ticket = session.query(Ticket).filter(Ticket.number == number).one_or_none()
        owner = None if ticket is None else ticket.shop.shop_id
    if owner != challenge.shop_id:
        return _code_page(request, context, me, error="ticket", values=values, http_status=422)
    if not values["reason"]:
        return _code_page(request, context, me, error="reason", values=values, http_status=422)
    hours = natural(values["hours"])
    if hours not in CODE_HOURS:
        return _code_page(request, context, me, error="hours", values=values, http_status=422)
    if context.keys_dir is None:
        return _code_page(request, context, me, error="keys", values=values, http_status=503)
    now = context.clock()
    ttl = dt.timedelta(hours=hours)
    try:
        code = sign_challenge(values["challenge"], me.staff.name, VendorKeys(context.keys_dir).private("technician"),
                              now, ttl=ttl)
    except VendorKeyError:
        return _code_page(request, context, me, error="keys", values=values, http_status=503)
    expires = unlock_expiry(challenge, ttl)  # as the code says it: from the challenge, on the shop's clock
    audit.record_alone(context.db, at=now, action=audit.Action.CODE_SIGNED, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request), ticket_number=number,
                       shop_id=challenge.shop_id, detail=f"{values['reason']} (until {expires.isoformat()})")
    return _code_page(request, context, me, values={}, signed={
        "code": code, "shop": challenge.shop_id, "ticket": number, "expires": expires.isoformat()})


# --- contracts ---------------------------------------------------------------------------------------------------

def _contracts_page(request: Request, context: ServerContext, me: sessions.SessionInfo, *, error: str = "",
                    detail: str = "", values: dict[str, str] | None = None, issued: str | None = None,
                    http_status: int = 200) -> Response:
    shops = list_shops(context.db, shop_today(context.clock()))
    return render(request, "contracts.html", me=me, http_status=http_status, error=ERRORS.get(error, ""),
                  detail=detail, values=values or {}, issued=issued, shops=shops,
                  needs_code=_needs_code(context, me), today=shop_today(context.clock()).isoformat())


@router.get("/contracts")
def contracts(request: Request, context: Context, me: Me, shop: str = "") -> Response:
    ensure_role(context, request, me, Role.ADMIN)
    return _contracts_page(request, context, me, values={"shop": shop})


def _maintenance(form: Any) -> list[dict[str, str]]:
    start, end = form_text(form, "maintenance_start"), form_text(form, "maintenance_end")
    if not start and not end:
        return []
    return [{"start": dt.date.fromisoformat(start).isoformat(), "end": dt.date.fromisoformat(end).isoformat(),
             "tier": form_text(form, "maintenance_tier") or "standard"}]


@router.post("/contracts")
def issue(request: Request, context: Context, sent: Posted) -> Response:
    me, form = sent
    ensure_role(context, request, me, Role.ADMIN)
    names = ("shop", "package", "warranty_months", "accepted_on", "maintenance_start", "maintenance_end",
             "maintenance_tier")
    values = {name: form_text(form, name) for name in names}
    if not fresh_second_factor(context, request, me, form):
        return _contracts_page(request, context, me, error="code", values=values, http_status=401)
    if context.keys_dir is None:
        return _contracts_page(request, context, me, error="keys", values=values, http_status=503)
    now = context.clock()
    try:
        issued = issue_contract(context.db, context.keys_dir, shop_id=values["shop"], package=values["package"],
                                warranty_months=int(values["warranty_months"] or "0"),
                                accepted_on=dt.date.fromisoformat(values["accepted_on"]),
                                maintenance=_maintenance(form), vendor=context.vendor_identity, now=now)
    except LookupError:
        return _contracts_page(request, context, me, error="shop", values=values, http_status=404)
    except VendorKeyError:
        return _contracts_page(request, context, me, error="keys", values=values, http_status=503)
    except (ValueError, ContractError) as exc:
        return _contracts_page(request, context, me, error="contract", detail=str(exc), values=values,
                               http_status=422)
    audit.record_alone(context.db, at=now, action=audit.Action.CONTRACT_ISSUED, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request), shop_id=values["shop"],
                       detail=issued.number)
    return _contracts_page(request, context, me, values={"shop": values["shop"]}, issued=values["shop"])


@router.get("/contracts/{shop_id}/download")
def download(request: Request, context: Context, me: Me, shop_id: str) -> Response:
    """The shop's newest signed contract as a file, for a shop without Internet (imported from a USB stick)."""
    ensure_role(context, request, me, Role.TECHNICIAN)
    page = shop_page(context.db, shop_id, shop_today(context.clock()))
    if page is None or page.document is None:
        raise PageRefused(404, "Cửa hàng này chưa có hợp đồng.", me)
    return Response(page.document + "\n", media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="hop-dong-{shop_id}.json"', "Cache-Control": "no-store"})
