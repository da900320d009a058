"""Health check of the settings file: a broken file must never quietly switch monitoring off.

With one unclosed quote in ``settings.toml`` the app used to run on defaults: no POS
database, so every POS check was skipped and the verdict stayed green.  Now start-up runs on
the last settings that loaded cleanly (:mod:`app.infra.settings_last_good`) and this check says
so (warning); with no such copy it is the check that fails (critical), so ``check --nagios``
exits 2 naming the settings file, not something else.
"""

from __future__ import annotations

from app import HOTLINE
from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult, Status, result
from app.infra.formatting import format_date
from app.infra.phrase import Phrase, joined, say
from app.infra.settings import Fallback, LoadedSettings, Source
from app.infra.settings_words import file_cause, problem_phrase

CHECK_ID = "settings.valid"

REMEDIES: dict[str, str] = {
    "settings.last_good": say(
        "HealthCheck",
        "Ứng dụng vẫn theo dõi cửa hàng bằng cấu hình hợp lệ gần nhất, nhưng những thay đổi mới trong tệp "
        "cấu hình chưa có hiệu lực.\n"
        "1. Mở tệp cấu hình (đường dẫn ở dòng chi tiết) bằng Notepad, đến đúng dòng được báo.\n"
        "2. Sửa lỗi: thường là thiếu dấu nháy đóng \", thiếu dấu ] hoặc dấu \\ trong đường dẫn "
        "(hãy dùng dấu / hoặc đặt đường dẫn trong dấu nháy đơn ').\n"
        "3. Lưu tệp với mã hóa UTF-8, rồi mở lại ứng dụng.\n"
        "4. Nếu không chắc, gọi %1 để kỹ thuật viên sửa giúp.",
    ).fill(HOTLINE),
    "settings.broken": say(
        "HealthCheck",
        "Ứng dụng đang chạy với cấu hình mặc định nên không kiểm tra được phần mềm PMV, "
        "sao lưu và thiết bị của cửa hàng.\n"
        "1. Mở tệp cấu hình (đường dẫn ở dòng chi tiết) bằng Notepad, đến đúng dòng được báo.\n"
        "2. Sửa lỗi: thường là thiếu dấu nháy đóng \", thiếu dấu ] hoặc dấu \\ trong đường dẫn "
        "(hãy dùng dấu / hoặc đặt đường dẫn trong dấu nháy đơn ').\n"
        "3. Lưu tệp với mã hóa UTF-8, rồi mở lại ứng dụng.\n"
        "4. Gọi ngay %1 nếu không sửa được: cửa hàng đang không được theo dõi.",
    ).fill(HOTLINE),
    "settings.invalid_value": say(
        "HealthCheck",
        "Một số mục trong tệp cấu hình bị bỏ qua; ứng dụng dùng giá trị hợp lệ gần nhất hoặc giá trị mặc định "
        "cho các mục đó.\n"
        "1. Xem tên các mục ở dòng kết quả; tên sai chính tả cũng bị bỏ qua.\n"
        "2. Sửa giá trị trong tệp cấu hình (chữ đặt trong dấu nháy kép, số viết không có dấu nháy), "
        "lưu lại rồi mở lại ứng dụng.\n"
        "3. Nếu không chắc, gọi %1.",
    ).fill(HOTLINE),
}


def _details(loaded: LoadedSettings) -> str:
    """The settings file's path, then each problem in the words of the window's banners, one a line."""
    if not loaded.problems:
        return say("HealthCheck", "Tệp cấu hình: %1").fill(str(loaded.path).rstrip())
    described = joined([problem_phrase(problem) for problem in loaded.problems], "\n")
    return say("HealthCheck", "Tệp cấu hình: %1\n%2").fill(str(loaded.path), described)


def check_settings(ctx: CheckContext) -> CheckResult:
    loaded = ctx.loaded_settings
    if loaded is None:
        raise NotConfigured(say("HealthCheck", "không rõ cấu hình đã nạp"))
    details = _details(loaded)
    whole = loaded.file_problem
    if whole is not None and loaded.source is Source.LAST_GOOD and loaded.last_good_on is not None:
        summary = say("HealthCheck", "%1; đang dùng cấu hình hợp lệ gần nhất (%2)").fill(
            file_cause(whole, with_reason=False), format_date(loaded.last_good_on))
        return result(Status.WARNING, summary, details, remedy="settings.last_good")
    if whole is not None:
        summary = say("HealthCheck", "%1; đang dùng cấu hình mặc định nên không theo dõi được phần mềm PMV "
                                     "của cửa hàng").fill(file_cause(whole, with_reason=False))
        return result(Status.CRITICAL, summary, details, remedy="settings.broken")
    if loaded.problems:
        return result(Status.WARNING, _values_summary(loaded), details, remedy="settings.invalid_value")
    if not loaded.exists:
        raise NotConfigured(say("HealthCheck", "chưa có tệp cấu hình, đang dùng cấu hình mặc định"))
    return result(Status.OK, say("HealthCheck", "Tệp cấu hình hợp lệ"),
                  say("HealthCheck", "Tệp cấu hình: %1").fill(str(loaded.path)))


def _values_summary(loaded: LoadedSettings) -> Phrase:
    keys = [p.key or "?" for p in loaded.problems]
    shown: str = ", ".join(keys[:4])  # the keys as written in the file: the same in every language
    if len(keys) > 4:
        shown = say("HealthCheck", "%1 và %2 mục khác").fill(shown, len(keys) - 4)
    if any(p.fallback is Fallback.LAST_GOOD for p in loaded.problems):
        return say("HealthCheck", "%1 mục cấu hình không hợp lệ bị bỏ qua (%2); "
                                  "đang dùng giá trị hợp lệ gần nhất hoặc mặc định").fill(len(keys), shown)
    return say("HealthCheck", "%1 mục cấu hình không hợp lệ bị bỏ qua (%2); đang dùng giá trị mặc định").fill(
        len(keys), shown)


CHECKS: list[Check] = [
    Check(CHECK_ID, "Tệp cấu hình", Category.SERVICE, check_settings, timeout=5),
]
