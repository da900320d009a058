"""Health checks of the services around the till: the vendor's server and software versions.

``vendor.reachable`` asks the vendor server's ``/healthz``; the same probe
(:func:`probe_vendor`) gives ``clock.skew`` (in :mod:`.system`) the server's
HTTP ``Date`` header, so the clock is compared without a token and without
touching :class:`~app.support.vendor_api.VendorClient`.

``versions`` compares what is installed with the latest versions known to
the updates feature.  The updates feature writes them, after each
successful check for updates, to ``<data_dir>/latest_versions.json``::

    {"pos": "5.9.0", "app": "0.2.0"}

Both keys are optional; a missing or unreadable file means "not known yet",
which is not a fault of the till.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_ID, HOTLINE, __version__
from app.health.context import CheckContext
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.phrase import joined, number, say

if TYPE_CHECKING:
    import requests

# A health check must answer in seconds even if the settings allow the
# support client a long timeout for uploads.
PROBE_TIMEOUT_CAP = 5.0
LATEST_VERSIONS_FILE = "latest_versions.json"

REMEDIES: dict[str, str] = {
    "vendor.offline": say(
        "HealthCheck",
        "Máy chủ hỗ trợ chưa kết nối được; cửa hàng vẫn bán hàng bình thường, "
        "yêu cầu hỗ trợ sẽ nằm chờ trong hộp thư và tự gửi khi có mạng.\n"
        "1. Mở một trang web bất kỳ để kiểm tra Internet của máy.\n"
        "2. Nếu không vào được mạng: tắt rồi bật lại modem/router, chờ 2 phút.\n"
        "3. Nếu các trang web khác vẫn vào được: địa chỉ máy chủ hỗ trợ có thể đã sai; kỹ thuật viên kiểm tra "
        "trong chế độ kỹ thuật viên (thẻ \u201cCài đặt\u201d, mục vendor).\n"
        "4. Việc gấp, gọi %1 (trực 24/7).",
    ).fill(HOTLINE),
    "versions.pos_missing": say(
        "HealthCheck",
        "Không đọc được phiên bản phần mềm PMV.\n"
        "1. Thư mục cài đặt PMV (pos.install_dir) có thể đã sai; kỹ thuật viên kiểm tra trong chế độ kỹ thuật "
        "viên (thẻ \u201cCài đặt\u201d).\n"
        "2. Trong thư mục đó phải có tệp version.txt; nếu không có, phần mềm có thể cài thiếu.\n"
        "3. Gọi %1 để kỹ thuật viên kiểm tra và cài lại nếu cần.",
    ).fill(HOTLINE),
    "versions.pos_outdated": say(
        "HealthCheck",
        "Phần mềm PMV chưa ở phiên bản mới nhất.\n"
        "1. Ghi lại phiên bản đang dùng và phiên bản mới (trong dòng kết quả).\n"
        "2. Gọi %1 hoặc gửi yêu cầu \u201cCập nhật quy định\u201d để hẹn giờ cập nhật ngoài giờ bán.\n"
        "3. Không tự cài đè khi đang bán hàng.",
    ).fill(HOTLINE),
    "versions.app_outdated": say(
        "HealthCheck",
        "Trợ lý hỗ trợ PMV có phiên bản mới.\n"
        "1. Mở mục \u201cCập nhật\u201d.\n"
        "2. Khi bản mới đã tải về, bấm \u201cKhởi động lại để cập nhật\u201d; ứng dụng sẽ tự khởi động lại.\n"
        "3. Nếu không thấy nút đó hoặc cài không được, gọi %1.",
    ).fill(HOTLINE),
}


@dataclass(frozen=True)
class VendorProbe:
    """What one GET of ``/healthz`` told us; ``error`` is set when no answer came."""

    url: str
    status_code: int | None
    elapsed_ms: float
    server_date: dt.datetime | None  # the HTTP Date header (any answer has one, even an error page)
    sent_at: dt.datetime  # ctx.now() halfway through the round trip
    error: str | None = None
    # OpenSSL's verify code when TLS refused the server's certificate for its dates (CERT_NOT_YET_VALID,
    # CERT_HAS_EXPIRED): by the till's clock, which is then the likely fault, and no Date header comes.
    certificate_dates: int | None = None

    @property
    def healthy(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300



def probe_timeout(ctx: CheckContext) -> float:
    return min(ctx.settings.vendor.timeout_seconds, PROBE_TIMEOUT_CAP)


def probe_vendor(ctx: CheckContext, session: requests.Session | None = None) -> VendorProbe:
    """GET ``<base_url>/healthz``; never raises for network trouble (``error`` says what happened).

    The clock is read before and after: the midpoint is the best local
    estimate of when the server stamped its ``Date`` (ctx.clock, so tests can
    move it).  A new session per call keeps the probe thread-safe.
    """
    # Imported here: the window loads this module at start for the checks' titles, and requests (~70 ms) is
    # only needed once a probe runs (a worker).
    import requests  # noqa: PLC0415

    url = f"{ctx.settings.vendor.base_url}/healthz"
    timeout = probe_timeout(ctx)
    own = session is None
    http = session or requests.Session()
    before, started = ctx.now(), time.perf_counter()
    try:
        response = http.get(url, timeout=(timeout, timeout), allow_redirects=False,
                            headers={"User-Agent": f"{APP_ID}/{__version__} health"})
    except requests.Timeout:
        return VendorProbe(url, None, timeout * 1000, None, before,
                           error=say("HealthCheck", "quá %1 giây không trả lời").fill(number(timeout, None)))
    except requests.RequestException as exc:
        return VendorProbe(url, None, (time.perf_counter() - started) * 1000, None, before,
                           error=_network_reason(exc), certificate_dates=certificate_dates_refused(exc))
    finally:
        if own:
            http.close()
    elapsed = (time.perf_counter() - started) * 1000
    after = ctx.now()
    response.close()
    return VendorProbe(url, response.status_code, elapsed, _http_date(response.headers.get("Date")),
                       before + (after - before) / 2)


def _http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED (OpenSSL, x509_vfy.h): the two verify codes a
# clock far off gives.
CERT_NOT_YET_VALID, CERT_HAS_EXPIRED = 9, 10


def certificate_dates_refused(exc: BaseException) -> int | None:
    """The verify code if ``exc`` (requests wraps urllib3, which wraps ssl) is a certificate refused for its
    dates, else None."""
    import ssl  # noqa: PLC0415  (only once a probe failed; the window loads this module at start)

    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        error = pending.pop()
        if not isinstance(error, BaseException) or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ssl.SSLCertVerificationError) and error.verify_code in (CERT_NOT_YET_VALID,
                                                                                    CERT_HAS_EXPIRED):
            return error.verify_code
        # urllib3's MaxRetryError keeps the cause in .reason, not in its args.
        pending.extend((error.__cause__, error.__context__, getattr(error, "reason", None), *error.args))
    return None


def _network_reason(exc: requests.RequestException) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return say("HealthCheck", "máy chủ từ chối kết nối")
    if "resolve" in text.lower() or "name or service" in text.lower() or "getaddrinfo" in text.lower():
        return say("HealthCheck", "không tìm thấy địa chỉ máy chủ (mất mạng hoặc lỗi DNS)")
    return say("HealthCheck", "lỗi mạng (%1)").fill(type(exc).__name__)


def check_vendor(ctx: CheckContext) -> CheckResult:
    probe = probe_vendor(ctx)
    metrics = (Metric("response_ms", round(probe.elapsed_ms, 1), "ms"),)
    host = ctx.settings.vendor.base_url
    if probe.healthy:
        # Milliseconds as whole digits, never grouped ("1234 ms"): not number(), which would write "1.234".
        return result(Status.OK, say("HealthCheck", "Máy chủ hỗ trợ trả lời sau %1 ms").fill(f"{probe.elapsed_ms:.0f}"),
                      details=host, metrics=metrics)
    reason = probe.error or say("HealthCheck", "máy chủ trả lời mã lỗi %1").fill(str(probe.status_code))
    # Warning, not critical: the shop can still trade, requests wait in the outbox.
    return result(Status.WARNING, say("HealthCheck", "Không kết nối được máy chủ hỗ trợ: %1").fill(reason),
                  details=say("HealthCheck", "%1\nYêu cầu hỗ trợ vẫn được lưu và sẽ tự gửi khi có mạng.").fill(
                      probe.url),
                  remedy="vendor.offline", metrics=metrics)


# --- versions -----------------------------------------------------------------

_LEADING_VERSION = re.compile(r"\s*[vV]?(\d+(?:\.\d+)*)")


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """``"5.8.2"`` -> ``(5, 8, 2)``; trailing zeros dropped so 5.9 == 5.9.0.

    Only the leading dotted integers count ("5.9.0 build 12" is 5.9.0): the
    versions here are written by people and installers, not by PEP 440.
    """
    match = _LEADING_VERSION.match(text or "")
    if match is None:
        return None
    parts = [int(part) for part in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def is_older(installed: str, latest: str) -> bool | None:
    """True if ``installed`` < ``latest``; None when either cannot be read."""
    have, want = parse_version(installed), parse_version(latest)
    if have is None or want is None:
        return None
    return have < want


def read_pos_version(install_dir: Path) -> str | None:
    try:
        lines = (install_dir / "version.txt").read_text(encoding="utf-8-sig").strip().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[0].strip() if lines and lines[0].strip() else None


def read_latest_versions(data_dir: Path | None) -> dict[str, str]:
    """What the updates feature last learned; {} when it has not written anything usable."""
    if data_dir is None:
        return {}
    try:
        data = json.loads((data_dir / LATEST_VERSIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key]) for key in ("pos", "app") if isinstance(data.get(key), (str, int, float))}


def check_versions(ctx: CheckContext) -> CheckResult:
    install_dir = ctx.settings.pos.install_dir
    pos_version = read_pos_version(install_dir) if install_dir is not None else None
    latest = read_latest_versions(ctx.data_dir)
    remedies: list[str] = []  # most important first
    notes: list[str] = []

    if install_dir is None:
        pos_part: str = say("HealthCheck", "PMV: chưa khai báo thư mục cài đặt")
    elif pos_version is None:
        pos_part = say("HealthCheck", "PMV: không đọc được version.txt")
        remedies.append("versions.pos_missing")
        notes.append(say("HealthCheck", "Không có hoặc không đọc được %1").fill(str(install_dir / "version.txt")))
    else:
        pos_part = _describe("PMV", pos_version, latest.get("pos"), remedies, "versions.pos_outdated")
    app_part = _describe(say("HealthCheck", "Trợ lý hỗ trợ"), __version__, latest.get("app"), remedies,
                         "versions.app_outdated")

    if latest:
        summary = joined([pos_part, app_part], "; ")
    else:
        summary = say("HealthCheck", "%1; %2 (chưa có thông tin phiên bản mới nhất)").fill(pos_part, app_part)
    outdated = sum(code.endswith("_outdated") for code in remedies)
    metrics = (Metric("outdated", outdated, warn=1),)
    status = Status.WARNING if remedies else Status.OK
    return result(status, summary, details=joined(notes, "\n") if notes else "",
                  remedy=remedies[0] if remedies else None, metrics=metrics)


def _describe(label: str, installed: str, latest: str | None, remedies: list[str], code: str) -> str:
    if latest is None:
        return joined([label, installed], " ")  # "PMV 5.8.2": the same words in every language
    older = is_older(installed, latest)
    if older:
        remedies.append(code)
        return say("HealthCheck", "%1 %2 cũ hơn bản mới nhất %3").fill(label, installed, latest)
    if older is None:
        return say("HealthCheck", "%1 %2 (không so được với %3)").fill(label, installed, latest)
    return say("HealthCheck", "%1 %2 là bản mới nhất").fill(label, installed)


CHECKS: list[Check] = [
    # Two HTTP phases (connect, read) of at most PROBE_TIMEOUT_CAP each, plus slack.
    Check("vendor.reachable", "Máy chủ hỗ trợ", Category.SERVICE, check_vendor,
          timeout=2 * PROBE_TIMEOUT_CAP + 2),
    Check("versions", "Phiên bản phần mềm", Category.SERVICE, check_versions, timeout=5),
]
