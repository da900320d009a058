"""The console's staff accounts (admin), the password change and the SLA report (the shops' pages: shop_routes.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vendor_server.console import accounts, audit, sessions
from vendor_server.console.accounts import Role, SignInRefused
from vendor_server.console.sla_report import sla_report
from vendor_server.console.web import Me, PageRefused, Posted, address_of, ensure_role, form_text, redirect, render
from vendor_server.routes.deps import Context, ServerContext

router = APIRouter(prefix="/console", include_in_schema=False)

STAFF_ERRORS = {
    "invalid": "Thông tin chưa hợp lệ: tên đăng nhập 3–64 ký tự a-z, 0-9, dấu chấm, gạch; mật khẩu từ 10 ký tự; "
               "tên đăng nhập chưa được dùng.",
}
PASSWORD_ERRORS = {
    "wrong": "Mật khẩu hiện tại không đúng.",
    "weak": "Mật khẩu mới cần từ 10 ký tự và khác mật khẩu cũ.",
    "differ": "Hai lần nhập mật khẩu mới không giống nhau.",
}



@router.get("/sla")
def sla(request: Request, context: Context, me: Me, months: int = 3) -> Response:
    """The vendor's own measure of its promise (vendor_server/console/sla_report.py says how it counts)."""
    ensure_role(context, request, me, Role.ADMIN)
    months = min(max(months, 1), 24)
    report = sla_report(context.db, context.calendars.calendar(), context.clock(), months=months)
    return render(request, "sla.html", me=me, report=report, months=months)


# --- staff accounts ----------------------------------------------------------------------------------------------

def _staff_page(request: Request, context: ServerContext, me: sessions.SessionInfo, *, error: str = "",
                added: dict[str, str] | None = None, http_status: int = 200) -> Response:
    return render(request, "staff.html", me=me, http_status=http_status, rows=accounts.list_staff(context.db),
                  error=STAFF_ERRORS.get(error, ""), added=added, roles=[r.value for r in Role])


@router.get("/staff")
def staff(request: Request, context: Context, me: Me) -> Response:
    ensure_role(context, request, me, Role.ADMIN)
    return _staff_page(request, context, me)


@router.post("/staff")
def add_staff(request: Request, context: Context, sent: Posted) -> Response:
    me, form = sent
    ensure_role(context, request, me, Role.ADMIN)
    role = form_text(form, "role")
    try:
        added, secret = accounts.add_staff(context.db, form_text(form, "login"), form_text(form, "name"),
                                           Role(role), str(form.get("password") or ""), now=context.clock())
    except ValueError:
        return _staff_page(request, context, me, error="invalid", http_status=422)
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.STAFF_ADDED, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request), detail=f"{added.login} ({added.role})")
    # The secret is shown this once, for the new staff member's authenticator app; it is never shown again.
    return _staff_page(request, context, me, added={"login": added.login, "secret": secret,
                                                    "uri": accounts.totp_uri(secret, added.login)})


@router.post("/staff/{staff_id}")
def change_staff(request: Request, context: Context, staff_id: int, sent: Posted) -> Response:
    me, form = sent
    ensure_role(context, request, me, Role.ADMIN)
    if staff_id == me.staff.id:
        raise PageRefused(403, "Không tự khóa hoặc đổi quyền tài khoản đang dùng.", me)
    try:
        if form.get("role"):
            changed = accounts.set_role(context.db, staff_id, Role(form_text(form, "role")))
        else:
            changed = accounts.set_active(context.db, staff_id, form_text(form, "active") == "1")
    except LookupError:
        raise PageRefused(404, "Không tìm thấy nhân viên này.", me) from None
    except ValueError:  # a role this console does not have (a hand-made form)
        raise PageRefused(422, "Nội dung chưa hợp lệ: hãy xem lại các ô đã nhập.", me) from None
    if not changed.active:
        sessions.end_others(context.db, staff_id, None, now=context.clock())
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.STAFF_CHANGED, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request),
                       detail=f"{changed.login}: {changed.role}, {'active' if changed.active else 'disabled'}")
    return redirect("/console/staff")


# --- the signed-in staff member's own password -------------------------------------------------------------------

@router.get("/password")
def password_form(request: Request, me: Me, done: str = "") -> Response:
    return render(request, "password.html", me=me, error="", done=bool(done))


@router.post("/password")
def change_password(request: Request, context: Context, sent: Posted) -> Response:
    me, form = sent
    old, new, again = (str(form.get(name) or "") for name in ("old", "new", "again"))
    error = "differ" if new != again else ""
    if not error:
        try:
            accounts.change_password(context.db, me.staff.id, old, new, now=context.clock())
        except SignInRefused:
            error = "wrong"
        except ValueError:
            error = "weak"
    if error:
        audit.record_alone(context.db, at=context.clock(), action=audit.Action.PASSWORD_CHANGED,
                           outcome=audit.Outcome.REFUSED, login=me.staff.login, staff_id=me.staff.id,
                           address=address_of(request), detail=error)
        return render(request, "password.html", me=me, http_status=422, error=PASSWORD_ERRORS[error], done=False)
    # Every other browser signed in as this staff member is signed out: the old password may be known.
    ended = sessions.end_others(context.db, me.staff.id, me.id, now=context.clock())
    audit.record_alone(context.db, at=context.clock(), action=audit.Action.PASSWORD_CHANGED, login=me.staff.login,
                       staff_id=me.staff.id, address=address_of(request), detail=f"{ended} other session(s) ended")
    return redirect("/console/password?done=1")
