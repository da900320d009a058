"""The console's sign-in, sign-out, language, queue and audit log pages (the ticket's are in ticket_routes.py).

Signing in takes two steps: the password opens a half-open session (``/console/signin``), the TOTP code
finishes it (``/console/signin/code``) and replaces its token.  Every refusal answers the same page words
for an unknown login and a wrong password, and lands in the audit log with the address it came from.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import unquote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from pmv_protocol.digits import natural
from vendor_server.console import accounts, audit, queue, sessions
from vendor_server.console.accounts import Role, SignInRefused
from vendor_server.console.web import (
    LANG_COOKIE,
    LANGUAGES,
    NEXT_COOKIE,
    PRE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN,
    Me,
    PageRefused,
    Posted,
    address_of,
    console_page,
    current_session,
    ensure_role,
    pre_token,
    redirect,
    render,
    set_cookie,
)
from vendor_server.routes.deps import Context

router = APIRouter(prefix="/console", include_in_schema=False)

REFUSAL_WORDS = {
    "wrong_password": "Sai tên đăng nhập hoặc mật khẩu.",
    "throttled": "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.",
    "inactive": "Tài khoản này đã bị khóa. Hãy liên hệ quản lý.",
    "wrong_code": "Sai mã xác thực, hoặc mã đã được dùng. Hãy chờ mã mới.",
}


def _signin_page(request: Request, error: str | None = None, login: str = "", status: int = 200) -> Response:
    token = pre_token(request)
    response = render(request, "signin.html", http_status=status, error=error, login=login, pre=token)
    set_cookie(request, response, PRE_COOKIE, token, max_age=3600)
    return response


@router.get("")
def home(request: Request, context: Context) -> Response:
    found = current_session(request, context)
    return redirect("/console/queue" if found is not None and found.signed_in else SIGN_IN)


@router.get("/signin")
def signin_form(request: Request) -> Response:
    return _signin_page(request)


@router.post("/signin")
def signin(request: Request, context: Context, login: Annotated[str, Form()] = "",
           password: Annotated[str, Form()] = "", pre: Annotated[str, Form()] = "") -> Response:
    address, now = address_of(request), context.clock()
    cookie = request.cookies.get(PRE_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, pre):  # login CSRF: the form must be this browser's
        audit.record_refusal(context.db, at=now, action=audit.Action.CSRF_REFUSED, login=login or "-",
                             address=address, detail="sign-in form")
        return _signin_page(request, "Trang đăng nhập đã hết hạn. Hãy nhập lại.", login, status=403)
    try:
        staff = accounts.check_password(context.db, login, password, address, now=now)
    except SignInRefused as refused:
        audit.record_refusal(context.db, at=now, action=audit.Action.SIGN_IN, login=login or "-", address=address,
                             detail=refused.code)
        status = 429 if refused.code == "throttled" else 401
        return _signin_page(request, REFUSAL_WORDS[refused.code], login, status=status)
    token, _info = sessions.open_session(context.db, staff.id, address, now=now)
    response = redirect(SIGN_IN + "/code")
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.get("/signin/code")
def code_form(request: Request, context: Context) -> Response:
    found = current_session(request, context)
    if found is None:
        return redirect(SIGN_IN)
    return render(request, "code.html", error=None, csrf=found.csrf)


@router.post("/signin/code")
def code(request: Request, context: Context, code: Annotated[str, Form()] = "",
         csrf: Annotated[str, Form()] = "") -> Response:
    found = current_session(request, context)
    if found is None:
        return redirect(SIGN_IN)
    address, now = address_of(request), context.clock()
    if not sessions.csrf_ok(found, csrf):
        audit.record_alone(context.db, at=now, action=audit.Action.CSRF_REFUSED, outcome=audit.Outcome.REFUSED,
                           login=found.staff.login, staff_id=found.staff.id, address=address, detail="code form")
        return render(request, "code.html", http_status=403, csrf=found.csrf,
                      error="Trang đăng nhập đã hết hạn. Hãy nhập lại.")
    try:
        accounts.check_totp(context.db, found.staff.id, code.strip(), now=now, address=address)
    except SignInRefused as refused:
        audit.record_alone(context.db, at=now, action=audit.Action.SECOND_FACTOR, outcome=audit.Outcome.REFUSED,
                           login=found.staff.login, staff_id=found.staff.id, address=address, detail=refused.code)
        return render(request, "code.html", http_status=429 if refused.code == "throttled" else 401, csrf=found.csrf,
                      error=REFUSAL_WORDS[refused.code])
    token, _info = sessions.confirm_second_factor(context.db, found.id, now=now)
    audit.record_alone(context.db, at=now, action=audit.Action.SIGN_IN, login=found.staff.login,
                       staff_id=found.staff.id, address=address)
    # Back to the page the staff member was on when the last session ended (NEXT_COOKIE), else the queue.
    response = redirect(console_page(unquote(request.cookies.get(NEXT_COOKIE, ""))) or "/console/queue")
    response.delete_cookie(NEXT_COOKIE, path="/console")
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.post("/signout")
def signout(request: Request, context: Context, sent: Posted) -> Response:
    me, _form = sent
    sessions.end_session(context.db, me.id, now=context.clock())
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.SIGN_OUT, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request))
    response = redirect(SIGN_IN)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/language")
def language(request: Request, lang: str = "vi", back: str = "/console") -> Response:
    # Only a path inside the console: never an open redirect to another site.
    response = redirect(back if back.startswith("/console") and "//" not in back else "/console")
    set_cookie(request, response, LANG_COOKIE, lang if lang in LANGUAGES else "vi", max_age=365 * 86400)
    return response


@router.get("/queue")
def queue_page(request: Request, context: Context, me: Me, status: str = "", severity: str = "", shop: str = "",
               assignee: str = "", taken: str = "") -> Response:
    chosen = None if assignee in ("", "all") else 0 if assignee == "none" else me.staff.id if assignee == "mine" \
        else natural(assignee) if len(assignee) <= 9 else None
    where = queue.QueueFilter(status=status or None, severity=severity or None, shop=shop.strip() or None,
                              assignee=chosen)
    now = context.clock()
    found = queue.open_queue(context.db, where, context.calendars.calendar(), now)
    return render(request, "queue.html", me=me, rows=found.rows, hidden=found.hidden, now=now,
                  refresh_seconds=context.queue_refresh_seconds,
                  taken=taken[:40],
                  status=status, severity=severity, shop=shop,
                  assignee=assignee, statuses=[s.value for s in queue.OPEN_STATUSES], severities=queue.SEVERITIES)


@router.post("/tickets/{ticket_id}/assign")
def assign(request: Request, context: Context, ticket_id: int, sent: Posted) -> Response:
    me, form = sent
    to_nobody = form.get("to") == "nobody"
    back = form.get("back")
    back = back if isinstance(back, str) and back.startswith("/console/") else "/console/queue"
    try:
        number = queue.assign(context.db, ticket_id, None if to_nobody else me.staff.id, context.clock(),
                              claim=not to_nobody)
    except queue.AlreadyTaken as taken:
        return redirect(f"{back}{'&' if '?' in back else '?'}{urlencode({'taken': taken.number})}")
    except LookupError:
        raise PageRefused(404, "Không tìm thấy yêu cầu này.", me) from None
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.ASSIGN, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request), ticket_number=number,
                       detail="nobody" if to_nobody else me.staff.login)
    return redirect(back)


@router.get("/audit")
def audit_page(request: Request, context: Context, me: Me, action: str = "", login: str = "", ticket: str = "",
               outcome: str = "", before: Annotated[int | None, Query()] = None) -> Response:
    ensure_role(context, request, me, Role.ADMIN)
    before = before if before is not None and 0 < before < 2**62 else None  # a hand-typed id past any row
    rows = audit.entries(context.db, action=action or None, login=login.strip() or None,
                         ticket_number=ticket.strip() or None, outcome=outcome or None, before_id=before, limit=100)
    return render(request, "audit.html", me=me, rows=rows, action=action, login=login, ticket=ticket,
                  outcome=outcome, actions=[a.value for a in audit.Action], outcomes=[o.value for o in audit.Outcome],
                  more=rows[-1].id if len(rows) == 100 else None)

