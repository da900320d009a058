"""What every console page shares: templates, the language, the signed-in staff member, CSRF, roles, headers.

Pages are rendered on the server (Jinja2, autoescaped: what a shop wrote, even ``<script>``, shows as text).
The language is a cookie (Vietnamese unless the staff member picked English).  A request is signed in when its
cookie's token finds a session in the database (:mod:`vendor_server.console.sessions`), so any worker serves
it.  Refusals (no session, a foreign form token, a role too low, a shop's token) are written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.console import audit, sessions, words
from vendor_server.console.accounts import Role
from vendor_server.console.sessions import SessionInfo
from vendor_server.console.words import translator
from vendor_server.routes.deps import Context, ServerContext, address_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
CONSOLE_STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "pmv_console"
PRE_COOKIE = "pmv_console_pre"  # the sign-in form's token, before any session exists (double submit)
LANG_COOKIE = "pmv_console_lang"
# The page a staff member was on when their session ended: signing in again comes back to it, not the queue.
NEXT_COOKIE = "pmv_console_next"
LANGUAGES = ("vi", "en")
SIGN_IN = "/console/signin"
# Sent by the queue page's self-refresh (static/console.js): a read that is not the staff member at work.
REFRESH_HEADER = "X-Console-Refresh"
HEADERS = {
    "Cache-Control": "no-store",  # a shared PC's back button must not show a signed-out page
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'",
}


async def server_timing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """``Server-Timing: app;dur=<ms>`` on console pages: the server's own time, which the benchmark reads."""
    started = time.perf_counter()
    response = await call_next(request)
    if request.url.path.startswith("/console"):
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


def _moment(value: dt.datetime | None) -> str:
    """Shop time, dd/MM/yyyy HH:mm (what staff and shops both read)."""
    return "" if value is None else value.astimezone(SHOP_TZ).strftime("%d/%m/%Y %H:%M")


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(SHOP_TZ).date()
    return value.strftime("%d/%m/%Y")


def _hours(value: dt.timedelta | None) -> str:
    """Working time as "2 h 05" (negative: "-0 h 40"), the unit staff count the promise in."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60) if value >= dt.timedelta(0) else -int(-value.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {rest:02d}"


_VIETNAMESE_SIGNS = str.maketrans(",.", ".,")


def size_text(size: float | None, lang: str) -> str:
    """A file's or a disk's size for people: "1,5 MB" in Vietnamese ("." groups thousands), "1.5 MB" in English;
    bytes below a kilobyte as they are ("512 B"), binary multiples as Windows counts them."""
    if size is None:
        return ""
    unit, value = "B", float(size)
    for bigger in ("KB", "MB", "GB", "TB"):
        if value < 1024:
            break
        unit, value = bigger, value / 1024
    text = f"{value:,.0f}" if unit == "B" else f"{value:,.1f}"
    if lang == "vi":  # swap the two signs: 1,234.5 -> 1.234,5
        text = text.translate(_VIETNAMESE_SIGNS)
    return f"{text} {unit}"


@jinja2.pass_context
def _size(context: Any, size: float | None) -> str:
    return size_text(size, context.get("lang", "vi"))


_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(moment=_moment, day=_day, hours=_hours, size=_size,
                    moment_iso=lambda text: _moment(dt.datetime.fromisoformat(text)) if text else "")


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "vi")
    return chosen if chosen in LANGUAGES else "vi"


def secure_cookies(request: Request) -> bool:
    """Secure cookies everywhere but plain HTTP on this machine's loopback (a developer's or a test's server)."""
    return request.url.scheme == "https" or request.url.hostname not in ("127.0.0.1", "localhost", "::1")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                        secure=secure_cookies(request))


def _address(request: Request) -> str:
    """This page's address with its filters (the query), as a browser would ask for it again."""
    query = str(request.url.query)
    return request.url.path + (f"?{query}" if query else "")


def _this_page(request: Request) -> str:
    """Where the language switch comes back to: this page with its filters; a page a refused form showed (its
    address is the form's, which takes no GET) comes back to the queue unless the route names its own page."""
    return _address(request) if request.method == "GET" else "/console/queue"


def render(request: Request, template: str, *, http_status: int = 200, me: SessionInfo | None = None,
           back: str | None = None, **values: Any) -> HTMLResponse:
    """``template`` in the staff member's language; ``back``: the page the language switch returns to."""
    lang = language_of(request)
    page = _ENV.get_template(template).render(
        _=translator(lang), lang=lang, me=me, path=request.url.path, query=str(request.url.query), Role=Role,
        back=back or _this_page(request),
        status_name=lambda code: words.status_name(code, lang),
        severity_name=lambda code: words.severity_name(code, lang),
        solution_name=lambda code: words.solution_name(code, lang),
        role_name=lambda code: words.role_name(code, lang),
        action_name=lambda code: words.action_name(code, lang),
        outcome_name=lambda code: words.outcome_name(code, lang),
        coverage_name=lambda code: words.coverage_name(code, lang),
        check_status_name=lambda code: words.check_status_name(code, lang),
        coverage_text=lambda row: words.coverage_text(getattr(row, "coverage", row), lang),
        count_text=lambda number, unit: words.count_text(number, unit, lang), **values)
    return HTMLResponse(page, status_code=http_status, headers=HEADERS)


def redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


def refused_page(request: Request, status: int, message: str, me: SessionInfo | None = None) -> HTMLResponse:
    return render(request, "refused.html", http_status=status, me=me, message=message)


class PageRefused(Exception):
    """A console request refused with a page (not FastAPI's JSON): the handler renders ``refused.html``."""

    def __init__(self, status: int, message: str, me: SessionInfo | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.me = status, message, me


async def page_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    return refused_page(request, exc.status, exc.message, exc.me)


def _shop_token_used(context: ServerContext, request: Request) -> None:
    """A shop's API token is no key to the console: refused, and the shop named in the audit log."""
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return
    with context.db.sessions() as session:
        shop = context.db.shop_for_token(session, header.removeprefix("Bearer ").strip())
    audit.record_refusal(context.db, at=context.clock(), action=audit.Action.SHOP_TOKEN_REFUSED,
                         address=address_of(request), shop_id=None if shop is None else shop.shop_id,
                         detail=request.url.path)
    raise PageRefused(401, "Trang này dành cho nhân viên nhà cung cấp: hãy đăng nhập bằng tài khoản nhân viên.")


def current_session(request: Request, context: Context) -> SessionInfo | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        _shop_token_used(context, request)
        return None
    # The queue's own refresh (static/console.js) says so; it reads the session without extending it.
    found = sessions.session_for(context.db, token, now=context.clock(),
                                 touch=request.headers.get(REFRESH_HEADER) != "1")
    if found is None:
        audit.record_refusal(context.db, at=context.clock(), action=audit.Action.SESSION_REFUSED,
                             address=address_of(request), detail=request.url.path)
    return found


def console_page(path: str | None) -> str | None:
    """``path`` if it is a console page to send a browser back to (never another site, never sign-in), else None."""
    if not path or not path.startswith("/console/") or "//" in path or "\\" in path or path.startswith(SIGN_IN):
        return None
    return path


def _page_before_sign_in(request: Request) -> str | None:
    """The page to come back to: this one (with its filters); for a ticket's form, the ticket's page."""
    if request.method == "GET":
        return console_page(_address(request))
    # The acts addressed by the ticket's number (a claim, /console/tickets/<id>/assign, is by its database id).
    act = re.fullmatch(r"(/console/tickets/[^/]+)/(?:reply|note|propose|visit|status)", request.url.path)
    return console_page(act.group(1)) if act else None


def signed_in(request: Request, context: Context) -> SessionInfo:
    """The signed-in staff member, or a redirect to the sign-in page (after the password only: to the code).

    A session that ended (30 idle minutes) remembers the page in a cookie, so signing in again comes back to it.
    """
    found = current_session(request, context)
    if found is None:
        headers = {"Location": SIGN_IN, "Cache-Control": "no-store"}
        page = _page_before_sign_in(request)
        if page is not None and request.headers.get("X-Console-Refresh") is None:
            secure = "; Secure" if secure_cookies(request) else ""
            headers["Set-Cookie"] = (f"{NEXT_COOKIE}={quote(page, safe='')}; Max-Age=3600; Path=/console; HttpOnly; "
                                     f"SameSite=Strict{secure}")
        raise HTTPException(303, headers=headers)
    if not found.signed_in:
        raise HTTPException(303, headers={"Location": SIGN_IN + "/code", "Cache-Control": "no-store"})
    return found


Me = Annotated[SessionInfo, Depends(signed_in)]


async def posted(request: Request, context: Context, me: Me) -> tuple[SessionInfo, Any]:
    """A form sent by the signed-in staff member with this session's form token; refused (and logged) without."""
    form = await request.form()
    token = form.get("csrf")
    if not sessions.csrf_ok(me, token if isinstance(token, str) else None):
        audit.record_alone(context.db, at=context.clock(), action=audit.Action.CSRF_REFUSED,
                           outcome=audit.Outcome.REFUSED, login=me.staff.login, staff_id=me.staff.id,
                           address=address_of(request), detail=request.url.path)
        raise PageRefused(403, "Biểu mẫu đã hết hạn hoặc không phải từ trang này. Hãy mở lại trang và làm lại.", me)
    return me, form


Posted = Annotated[tuple[SessionInfo, Any], Depends(posted)]


def ensure_role(context: ServerContext, request: Request, me: SessionInfo, needed: Role) -> None:
    """Refuse (403, logged) a staff member whose role is below ``needed``."""
    if me.staff.role.allows(needed):
        return
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.ROLE_REFUSED,
                       outcome=audit.Outcome.REFUSED, login=me.staff.login, staff_id=me.staff.id,
                       address=address_of(request), detail=f"{request.method} {request.url.path} needs {needed}")
    raise PageRefused(403, "Tài khoản của bạn không có quyền làm việc này.", me)


def form_text(form: Any, name: str) -> str:
    """A form field as stripped text ("" when absent, or a file where text was expected)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def pre_token(request: Request) -> str:
    """The sign-in form's token: the cookie's if there is one, else a new one (set by the caller)."""
    return request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)


def words_for(request: Request) -> Callable[[str], str]:
    return translator(language_of(request))
