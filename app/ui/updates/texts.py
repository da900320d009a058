"""Words for the updates feature: when a pack takes effect, its rules and what changed, why a run or a switch failed."""

from __future__ import annotations

from app import HOTLINE
from app.infra.formatting import format_date, format_vnd
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from app.updates.app_install import StageProblem
from app.updates.app_swap import SwapReason
from app.updates.offline import EXPORT_COMMAND, CopyFolderProblem, OfflineCopyRefused, OfflineRefusal
from app.updates.service import UpdateRun
from app.updates.targets import UpdateErrorKind
from pmv_protocol.packs import ChangeKind, RegulationPack, RuleBase, diff

_UPDATE_ERRORS = Words({
    UpdateErrorKind.SECURITY: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật không có chữ ký hợp lệ của nhà cung cấp (có thể đã bị sửa hoặc máy chủ bị "
        "giả mạo): không cài gì, giữ nguyên bản đang dùng. Hãy gọi %1."),
    UpdateErrorKind.NETWORK: QT_TRANSLATE_NOOP("UpdateTexts", "Không tải được bản cập nhật (mạng); sẽ tự thử lại sau."),
    UpdateErrorKind.TOO_LARGE: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Máy chủ gửi dữ liệu lớn hơn bản đã ký: đã dừng, không cài."),
    UpdateErrorKind.HASH_MISMATCH: QT_TRANSLATE_NOOP("UpdateTexts", "Tệp tải về không khớp bản đã ký: không cài."),
    UpdateErrorKind.CANCELLED: QT_TRANSLATE_NOOP("UpdateTexts", "Đã dừng; phần đã tải được giữ để tải tiếp."),
    UpdateErrorKind.BUSY: QT_TRANSLATE_NOOP("UpdateTexts", "Đang có một lần cập nhật khác chạy."),
    UpdateErrorKind.STORAGE: QT_TRANSLATE_NOOP("UpdateTexts", "Không ghi được vào ổ đĩa (đầy hoặc không có quyền)."),
})


def error_text(kind: UpdateErrorKind) -> str:
    return _UPDATE_ERRORS(kind, HOTLINE)  # a text's %1 is the hotline


_PAYMENT_METHODS = Words({
    "bank_transfer": QT_TRANSLATE_NOOP("UpdateTexts", "chuyển khoản"),
    "cash": QT_TRANSLATE_NOOP("UpdateTexts", "tiền mặt"),
    "card": QT_TRANSLATE_NOOP("UpdateTexts", "thẻ"),
    "e_wallet": QT_TRANSLATE_NOOP("UpdateTexts", "ví điện tử"),
    "voucher": QT_TRANSLATE_NOOP("UpdateTexts", "phiếu quà tặng"),
})


def _cash_limit_text(rule: object) -> str:
    """The Decree 232 rule as the pack states it: threshold, what counts, what qualifies as a bank account."""
    kinds = set(rule.counted_kinds)  # type: ignore[attr-defined]
    if kinds == {"sell", "buy"}:
        counted = translate("UpdateTexts", "bán ra và mua vào cộng lại")
    elif kinds == {"sell"}:
        counted = translate("UpdateTexts", "chỉ tính bán ra")
    else:
        counted = translate("UpdateTexts", "chỉ tính mua vào")
    if rule.inclusive:  # type: ignore[attr-defined]
        text = translate("UpdateTexts", "Từ %1 mỗi khách mỗi ngày (%2) phải trả qua tài khoản ngân hàng "
                                        "(được tính: %3)")
    else:
        text = translate("UpdateTexts", "Trên %1 mỗi khách mỗi ngày (%2) phải trả qua tài khoản ngân hàng "
                                        "(được tính: %3)")
    qualifying = ", ".join(_PAYMENT_METHODS.get(m, m) for m in rule.bank_account_methods)  # type: ignore[attr-defined]
    return tr_args(text, format_vnd(rule.amount_vnd), counted, qualifying)  # type: ignore[attr-defined]


def rule_text(rule: object) -> str:
    """One line per typed rule, in the interface language."""
    kind = getattr(rule, "kind", "")
    if kind == "cash_limit_per_customer_per_day":
        return _cash_limit_text(rule)
    if kind == "vat_rate":
        return tr_args(translate("UpdateTexts", "Thuế GTGT %1% cho %2"),
                       rule.percent, rule.applies_to)  # type: ignore[attr-defined]
    if kind == "reporting_threshold":
        return tr_args(translate("UpdateTexts", "Báo cáo từ %1: %2"),
                       format_vnd(rule.amount_vnd), rule.what)  # type: ignore[attr-defined]
    if kind == "label_required_fields":
        return tr_args(translate("UpdateTexts", "Tem phải ghi: %1"),
                       ", ".join(map(str, rule.fields)))  # type: ignore[attr-defined]
    if kind == "invoice_required_fields":
        return tr_args(translate("UpdateTexts", "Hóa đơn phải có: %1"),
                       ", ".join(map(str, rule.fields)))  # type: ignore[attr-defined]
    return str(kind)


def rule_line(pack: RegulationPack, rule: RuleBase) -> str:
    """:func:`rule_text`, with the rule's own date where it starts later than its pack (a transition period)."""
    text = rule_text(rule)
    if rule.effective_date is not None and rule.effective_date != pack.effective_date:
        text = tr_args(translate("UpdateTexts", "%1, từ ngày %2"), text, format_date(rule.effective_date))
    return text


def _dated(pack: RegulationPack, rule: RuleBase) -> str:
    return tr_args(translate("UpdateTexts", "%1 (từ ngày %2)"), rule_text(rule),
                   format_date(pack.effective_date_of(rule)))


def what_changed(old: RegulationPack, current: RegulationPack) -> list[str]:
    """'What changed' against the previous version, one line per rule added, removed or changed, each rule said
    as the page says it (it showed "amount_vnd: 20000000 → 30000000", the pack's field names and raw values)."""
    before = {(rule.kind, rule.key()): rule for rule in old.rules}
    after = {(rule.kind, rule.key()): rule for rule in current.rules}
    lines = []
    for change in diff(old, current):
        ident = (change.kind, change.key)
        if change.change is ChangeKind.ADDED:
            lines.append(tr_args(translate("UpdateTexts", "Thêm: %1"), _dated(current, after[ident])))
        elif change.change is ChangeKind.REMOVED:
            lines.append(tr_args(translate("UpdateTexts", "Bỏ: %1"), _dated(old, before[ident])))
        else:
            lines.append(tr_args(translate("UpdateTexts", "Trước: %1. Nay: %2"), _dated(old, before[ident]),
                                 _dated(current, after[ident])))
    return lines


# -- the app update (the box on the page; the words keep the box's context) ------------------------------------------

_ROLLBACK_REASONS = Words({
    SwapReason.INSTALLER_FAILED: QT_TRANSLATE_NOOP("AppUpdatePanel", "bộ cài báo lỗi"),
    SwapReason.EXITED_EARLY: QT_TRANSLATE_NOOP("AppUpdatePanel", "bản mới tắt ngay khi mở"),
    SwapReason.NO_START_SIGNAL: QT_TRANSLATE_NOOP("AppUpdatePanel", "bản mới không mở được trong thời gian chờ"),
})


def rollback_reason_text(reason: SwapReason) -> str:
    """Why a new version was rolled back, as a phrase inside the rollback message."""
    return _ROLLBACK_REASONS.get(reason, reason.value)


# Why a downloaded version could not be made ready (UNMANAGED is said by the state line, not here).
stage_problem_text = Words({
    StageProblem.WRONG_FORMAT: QT_TRANSLATE_NOOP("AppUpdatePanel", "Bản phần mềm mới không đúng loại cho máy này."),
    StageProblem.UNSAFE_ARCHIVE: QT_TRANSLATE_NOOP(
        "AppUpdatePanel", "Gói phần mềm mới có tệp không an toàn: đã từ chối, không cài."),
    StageProblem.NO_EXECUTABLE: QT_TRANSLATE_NOOP(
        "AppUpdatePanel", "Gói phần mềm mới thiếu chương trình: đã từ chối, không cài."),
    StageProblem.DISK: QT_TRANSLATE_NOOP(
        "AppUpdatePanel", "Không ghi được bản phần mềm mới ra đĩa (đầy hoặc không có quyền)."),
})


# -- an offline copy (Cập nhật từ USB…) ------------------------------------------------------------------------------

_COPY_FOLDER_PROBLEMS = Words({
    CopyFolderProblem.NOT_FOUND: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Không tìm thấy thư mục %1 (USB đã bị rút ra?). Hãy cắm lại USB rồi chọn lại."),
    CopyFolderProblem.NOT_A_FOLDER: QT_TRANSLATE_NOOP(
        "UpdateTexts", "%1 là một tệp, không phải thư mục. Hãy chọn thư mục bản cập nhật trên USB."),
    CopyFolderProblem.NOT_A_COPY: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Thư mục %1 không phải bản cập nhật của nhà cung cấp (không có thư mục metadata). Hãy "
        "chọn thư mục nhà cung cấp đã chép vào USB (%2)."),
    CopyFolderProblem.UNFINISHED: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật trong %1 chưa được chép xong. Hãy xin nhà cung cấp chép lại (%2)."),
})


def copy_folder_text(problem: CopyFolderProblem, folder: str) -> str:
    """Why the chosen folder is not an update copy (nothing was read from it)."""
    return _COPY_FOLDER_PROBLEMS(problem, folder, EXPORT_COMMAND)  # %1 the folder, %2 the export command


# Why a copy was refused, and what to do; each says that nothing changed.  In these, %1 is the command the vendor
# exports a copy with (ask for a new one) …
_REFUSED_ASK_AGAIN = Words({
    OfflineRefusal.STALE: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật trên USB đã hết hạn. Hãy xin nhà cung cấp một bản mới (%1). Không cài gì; "
        "máy vẫn dùng bản hiện có."),
    OfflineRefusal.ROLLBACK: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật trên USB cũ hơn bản máy này đã có. Không cài gì; máy vẫn dùng bản hiện có. "
        "Hãy xin nhà cung cấp một bản mới (%1)."),
})
# … and in these, the hotline (INCOMPLETE has no %1).
_REFUSED_CALL = Words({
    OfflineRefusal.FOREIGN: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật trên USB không phải của nhà cung cấp của bạn (chữ ký không khớp). Không cài "
        "gì; máy vẫn dùng bản hiện có. Gọi %1 nếu không rõ USB này từ đâu."),
    OfflineRefusal.TAMPERED: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật trên USB đã bị sửa hoặc hỏng (không khớp chữ ký của nhà cung cấp). Không "
        "cài gì; máy vẫn dùng bản hiện có. Hãy chép lại từ nhà cung cấp hoặc gọi %1."),
    OfflineRefusal.INCOMPLETE: QT_TRANSLATE_NOOP(
        "UpdateTexts", "Bản cập nhật trên USB thiếu tệp hoặc không đọc được. Không cài thêm gì; hãy chép lại đầy "
        "đủ từ nhà cung cấp rồi thử lại."),
})


def usb_refusal_text(error: OfflineCopyRefused) -> str:
    """Why a copy was refused, and what to do; always says that nothing changed."""
    if error.problem is OfflineRefusal.STALE and error.expired_on is not None:
        days = error.days_ago or 0
        # lupdate takes no count from translate(): English's singular is its own message, disambiguated "one"
        text = translate(
            "UpdateTexts", "Bản cập nhật trên USB đã hết hạn từ %1 (%2 ngày trước). Hãy xin nhà cung cấp một bản mới "
            "(%3). Không cài gì; máy vẫn dùng bản hiện có.", "one") if days == 1 else translate(
            "UpdateTexts", "Bản cập nhật trên USB đã hết hạn từ %1 (%2 ngày trước). Hãy xin nhà cung cấp một bản mới "
            "(%3). Không cài gì; máy vẫn dùng bản hiện có.")
        return tr_args(text, format_date(error.expired_on), days, EXPORT_COMMAND)
    if error.problem in _REFUSED_ASK_AGAIN:
        return _REFUSED_ASK_AGAIN(error.problem, EXPORT_COMMAND)
    return _REFUSED_CALL(error.problem, HOTLINE)


def _named(title: str, version: str) -> str:
    return tr_args(translate("UpdateTexts", "%1 (bản %2)"), title, version)


def _refused_sentence(run: UpdateRun) -> str:
    refused = ", ".join(_named(t.title_vi or t.target_id, t.version) for t in run.refused_packs)
    return tr_args(translate("UpdateTexts", "Chưa cài được %1: phiên bản phần mềm này không đọc được gói này; các bản "
                                            "cập nhật khác vẫn được cài. Hãy gọi %2."), refused, HOTLINE)


def refused_packs_text(run: UpdateRun) -> str:
    """The signed packs this version could not read, after what the run did install (the run went on)."""
    done = [_named(r.title or r.pack_id, r.version) for r in run.installed if not r.unchanged]
    if not done:
        return _refused_sentence(run)
    return tr_args(translate("UpdateTexts", "Đã cài gói quy định: %1."), ", ".join(done)) + " " + _refused_sentence(run)


def usb_result_text(run: UpdateRun) -> str:
    """What an accepted copy changed: the packs installed, the app build made ready, what is held back."""
    titles = {(t.target_id, t.version): t.title_vi for t in run.available if t.title_vi}
    done = [_named(titles.get((r.pack_id, r.version), r.pack_id), r.version)
            for r in [*run.installed, *run.calendars] if not r.unchanged]
    parts = [tr_args(translate("UpdateTexts", "Đã cài từ USB: %1."), ", ".join(done))] if done else []
    if run.refused_packs:
        parts.append(_refused_sentence(run))
    if run.app_staged is not None:
        parts.append(tr_args(translate("UpdateTexts", "Bản phần mềm %1 đã sẵn sàng để cài."), run.app_staged.version))
    elif run.app_update is not None and run.app_stage_error is not None:
        if run.app_stage_error.problem is StageProblem.UNMANAGED:
            parts.append(tr_args(translate(
                "UpdateTexts", "Bản phần mềm %1 có trên USB, nhưng bản cài trên máy này không tự cập nhật được: hãy "
                "cài bằng bộ cài của nhà cung cấp."), run.app_update.version))
        else:
            parts.append(stage_problem_text(run.app_stage_error.problem))
    if run.held_back:
        versions = ", ".join(_named(t.title_vi or t.target_id, t.version) for t in run.held_back)
        parts.append(tr_args(translate(
            "UpdateTexts", "Chưa đến lượt máy này nhận %1 (nhà cung cấp đang phát hành dần)."), versions))
    if not done and run.app_staged is None and not run.refused_packs:
        parts.insert(0, translate("UpdateTexts", "Bản cập nhật trên USB hợp lệ; máy này đã có đủ, không có gì mới."))
    return " ".join(parts)
