"""The releases pages' words: the Vietnamese as written in their templates and routes, and its English.

Merged into :data:`vendor_server.console.words.ENGLISH` (tests/unit/vendor_server/console/test_words.py checks
every ``_()`` text has its English; tests/unit/vendor_server/releases/test_words.py the routes' texts here).
Imports nothing: the console's words import this.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "Bản phát hành": "Releases",
    # The page (vendor_server/console/templates/releases.html)
    "Số cửa hàng theo báo cáo của ứng dụng: đã nhận (mọi cửa hàng đã báo về bản này, kể cả chưa tới lượt), đã tải, "
    "đã cài, đã quay lại bản cũ, bị từ chối vì lý do an toàn, chưa tới lượt theo tỉ lệ phát hành. Ở cột quay lại "
    "bản cũ, số sau dấu / là số cửa hàng đã thử bản đó (đã cài hoặc đã quay lại).":
        "Shops, as their app reports: offered (every shop that reported about this release, held back included), "
        "downloaded, installed, rolled back, refused for safety, held back by the rollout percentage. In the rolled "
        "back column, the number after / is the shops that tried the release (installed it or rolled it back).",
    "Bản ứng dụng tự dừng khi từ {shops} cửa hàng đã thử và từ {rate} % trong số đó quay lại bản cũ.":
        "An app build stops itself when the count of shops that tried it reaches {shops} and {rate} % or more of "
        "them rolled back.",
    "Không đọc được kho cập nhật:": "Cannot read the update repository:",
    "Máy chủ này chưa có kho cập nhật: quản trị viên chạy pmv-vendor repo init.":
        "This server has no update repository yet: an administrator runs pmv-vendor repo init.",
    "Bản cập nhật": "Release",
    "Tỉ lệ phát hành": "Rollout",
    "Đã nhận": "Offered",
    "Đã tải": "Downloaded",
    "Đã cài": "Installed",
    "Quay lại bản cũ": "Rolled back",
    "Bị từ chối": "Refused",
    "Chưa tới lượt": "Held back",
    "Tình trạng": "State",
    "Không còn trong kho": "No longer published",
    "Tạm dừng": "Pause",
    "Đang tạm dừng": "Paused",
    "Mọi cửa hàng": "Every shop",
    "Tự dừng: {rolled}/{tried} cửa hàng ({rate} %) đã quay lại bản cũ":
        "Stopped automatically: {rolled}/{tried} shops ({rate} %) rolled back",
    "Tạm dừng bởi {login}": "Paused by {login}",
    "Đang phát hành": "Rolling out",
    "Đổi tỉ lệ": "Change",
    "Chưa có bản phát hành nào trong kho cập nhật, và chưa cửa hàng nào báo về.":
        "No release in the update repository yet, and no shop has reported one.",
    "Dữ liệu cập nhật bị từ chối": "Update metadata refused",
    "Cửa hàng đã từ chối chính dữ liệu đã ký (chữ ký sai, hết hạn, bị quay lui): không cài gì cho tới khi dữ liệu "
    "hợp lệ.": "Shops refused the signed metadata itself (bad signature, expired, rolled back): they install "
               "nothing until it is valid.",
    "Số cửa hàng": "Shops",
    # What a release is (console_routes.KIND_NAMES)
    "Ứng dụng": "App",
    "Gói quy định": "Regulation pack",
    "Lịch làm việc": "Working calendar",
    # Refusals and confirmations (console_routes.RELEASE_ERRORS, DONE)
    "Bản này không còn trong kho cập nhật.": "This release is no longer in the update repository.",
    "Bản này đã tạm dừng rồi.": "This release is already paused.",
    "Bản này không đang tạm dừng.": "This release is not paused.",
    "Tỉ lệ phát hành là số nguyên từ 1 đến 100. Để dừng hẳn, hãy bấm Tạm dừng.":
        "The rollout is a whole number from 1 to 100. To stop it, press Pause.",
    "Chưa ký lại được dữ liệu cập nhật (thiếu khóa ký, hoặc đang có lệnh pmv-vendor repo khác chạy). Hãy thử lại "
    "sau.": "Could not re-sign the update metadata (a signing key is missing, or another pmv-vendor repo command "
            "is running). Try again later.",
    "Không có bản phát hành này.": "No such release.",
    "Đã tạm dừng bản này: cửa hàng chưa cài sẽ không nhận nữa từ lần kiểm tra cập nhật tới; cửa hàng đã cài vẫn "
    "giữ bản của mình.": "Paused: shops that have not installed it stop being offered it at their next update check; "
                         "shops that installed it keep it.",
    "Đã tiếp tục phát hành bản này với tỉ lệ trước khi tạm dừng.":
        "Resumed at the percentage it had before the pause.",
    "Đã đổi tỉ lệ phát hành và ký lại dữ liệu cập nhật.": "Rollout changed and the update metadata re-signed.",
}
