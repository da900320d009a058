"""The console's releases page (``/console/releases``): each release's health and its rollout, and the
manager's pause, resume and percentage.

Every signed-in staff member sees the page; changing a rollout takes a manager (admin), the form's CSRF
token, and is written to the audit log with the re-signature it made (:mod:`vendor_server.releases.rollouts`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pmv_protocol.digits import natural
from pmv_protocol.fleet import TargetKind
from vendor_server.console import sessions
from vendor_server.console.accounts import Role
from vendor_server.console.web import Me, Posted, address_of, ensure_role, form_text, redirect, render
from vendor_server.releases import rollouts
from vendor_server.releases.context import repository
from vendor_server.releases.health import release_health
from vendor_server.releases.names import ReleaseKey
from vendor_server.releases.rollouts import Actor, RolloutError
from vendor_server.routes.deps import Context, ServerContext

router = APIRouter(prefix="/console", include_in_schema=False)

KINDS = (TargetKind.APP.value, TargetKind.PACK.value, TargetKind.CALENDAR.value)
# The page's words for each refusal (English in vendor_server/releases/words.py).
RELEASE_ERRORS = {
    RolloutError.NO_REPOSITORY: "Máy chủ này chưa có kho cập nhật: quản trị viên chạy pmv-vendor repo init.",
    RolloutError.NOT_PUBLISHED: "Bản này không còn trong kho cập nhật.",
    RolloutError.ALREADY_PAUSED: "Bản này đã tạm dừng rồi.",
    RolloutError.NOT_PAUSED: "Bản này không đang tạm dừng.",
    RolloutError.BAD_PERCENT: "Tỉ lệ phát hành là số nguyên từ 1 đến 100. Để dừng hẳn, hãy bấm Tạm dừng.",
    RolloutError.SIGNING: "Chưa ký lại được dữ liệu cập nhật (thiếu khóa ký, hoặc đang có lệnh pmv-vendor repo "
                          "khác chạy). Hãy thử lại sau.",
    "release": "Không có bản phát hành này.",
}
DONE = {
    "paused": "Đã tạm dừng bản này: cửa hàng chưa cài sẽ không nhận nữa từ lần kiểm tra cập nhật tới; "
              "cửa hàng đã cài vẫn giữ bản của mình.",
    "resumed": "Đã tiếp tục phát hành bản này với tỉ lệ trước khi tạm dừng.",
    "percent": "Đã đổi tỉ lệ phát hành và ký lại dữ liệu cập nhật.",
}
KIND_NAMES = {
    TargetKind.APP.value: "Ứng dụng",
    TargetKind.PACK.value: "Gói quy định",
    TargetKind.CALENDAR.value: "Lịch làm việc",
}


def _page(request: Request, context: ServerContext, me: sessions.SessionInfo, *, error: str = "", done: str = "",
          focus: str = "", http_status: int = 200) -> Response:
    report = release_health(context.db, repository(context))
    return render(request, "releases.html", me=me, http_status=http_status, report=report,
                  error=RELEASE_ERRORS.get(error, ""), done=DONE.get(done, ""), focus=focus,
                  settings=context.releases, kind_names=KIND_NAMES)


@router.get("/releases")
def releases(request: Request, context: Context, me: Me, done: str = "", release: str = "") -> Response:
    return _page(request, context, me, done=done, focus=release)


def _key(form: Any) -> ReleaseKey | None:
    kind, ident, version = (form_text(form, name) for name in ("target_kind", "target_id", "version"))
    if kind not in KINDS or not 0 < len(ident) <= 64 or not 0 < len(version) <= 40:
        return None
    return ReleaseKey(kind, ident, version)


def _change(request: Request, context: ServerContext, sent: tuple[sessions.SessionInfo, Any], what: str) -> Response:
    me, form = sent
    ensure_role(context, request, me, Role.ADMIN)
    key = _key(form)
    if key is None:
        return _page(request, context, me, error="release", http_status=422)
    actor = Actor(me.staff.login, address_of(request), staff_id=me.staff.id)
    repo, now = repository(context), context.clock()
    try:
        if what == "paused":
            rollouts.pause(context.db, repo, key, actor, now=now)
        elif what == "resumed":
            rollouts.resume(context.db, repo, key, actor, now=now)
        else:
            text = form_text(form, "percent")
            percent = natural(text)
            percent = -1 if percent is None else percent
            rollouts.set_percent(context.db, repo, key, percent, actor, now=now)
    except RolloutError as exc:
        status = {RolloutError.NO_REPOSITORY: 503, RolloutError.SIGNING: 503, RolloutError.NOT_PUBLISHED: 404,
                  RolloutError.BAD_PERCENT: 422}.get(exc.code, 409)
        return _page(request, context, me, error=exc.code, focus=key.label(), http_status=status)
    return redirect("/console/releases?" + urlencode({"done": what, "release": key.label()}))


@router.post("/releases/pause")
def pause(request: Request, context: Context, sent: Posted) -> Response:
    return _change(request, context, sent, "paused")


@router.post("/releases/resume")
def resume(request: Request, context: Context, sent: Posted) -> Response:
    return _change(request, context, sent, "resumed")


@router.post("/releases/percent")
def percent(request: Request, context: Context, sent: Posted) -> Response:
    return _change(request, context, sent, "percent")
