"""The command line's words: message code -> Vietnamese and English, with no Qt.

The GUI words its codes with ``self.tr()``; the command line must not load Qt
(``pmv-support check`` runs from schedulers on tills), so its one-line
messages live here as data a test can check: every code in both languages,
the same ``{placeholders}`` in each, and no line breaks.  Each message says
what happened and what to do.  The language is ``--lang``, else the one the
app shows (the menu choice kept in the database, then ``language`` in the
settings file: :func:`app.infra.early_settings.first_paint_language`), else
Vietnamese.

argparse's own usage errors are English; :func:`usage_message` rewords the
ones the parser can raise (the patterns come from CPython's ``argparse``
message templates).
"""

from __future__ import annotations

import errno
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app import APP_ID, HOTLINE

LANGUAGES = ("vi", "en")

# code: (Vietnamese, English).  {hotline} and {app} are filled in by say().
MESSAGES: dict[str, tuple[str, str]] = {
    # -- how a line starts -----------------------------------------------------------------------------------
    "label_error": ("lỗi", "error"),
    "label_warning": ("cảnh báo", "warning"),
    "label_note": ("lưu ý", "note"),
    # -- argparse (usage errors, exit code 2) -------------------------------------------------------------------
    "usage_help": ("Xem hướng dẫn: {prog} --help", "See {prog} --help"),
    "usage_unknown_command": ("Không có lệnh {value}; các lệnh có: {choices}.",
                              "There is no command {value}; the commands are: {choices}."),
    "usage_choice": ("{arg} không nhận {value}; hãy chọn một trong: {choices}.",
                     "{arg} does not take {value}; choose one of: {choices}."),
    "usage_not_a_number": ("{arg} cần một số nguyên, không phải {value}.",
                           "{arg} needs a whole number, not {value}."),
    "usage_bad_value": ("{arg}: giá trị {value} không hợp lệ; hãy sửa lại.",
                        "{arg}: the value {value} is not valid; correct it."),
    "usage_needs_value": ("{arg} cần một giá trị đi kèm.", "{arg} needs a value after it."),
    "usage_needs_values": ("{arg}: số giá trị đi kèm không đúng.", "{arg}: wrong number of values after it."),
    "usage_not_together": ("Không dùng {arg} cùng với {other}; hãy chọn một.",
                           "{arg} cannot be used with {other}; choose one."),
    "usage_no_value": ("{arg} không nhận giá trị ({value}); hãy bỏ giá trị đó.",
                       "{arg} takes no value ({value}); leave it out."),
    "usage_required": ("Thiếu {what}; hãy thêm vào lệnh.", "{what} is missing; add it to the command."),
    "usage_one_of": ("Cần một trong các tùy chọn {what}.", "One of {what} is needed."),
    "usage_unrecognized": ("Không hiểu {what}; hãy bỏ hoặc sửa lại.", "{what} not understood; remove or correct it."),
    "usage_ambiguous": ("{option} có thể là {matches}; hãy viết đầy đủ tên tùy chọn.",
                        "{option} could be {matches}; write the option in full."),
    "usage_argument": ("{arg}: {detail}.", "{arg}: {detail}."),
    "usage_other": ("Lệnh không hợp lệ: {detail}.", "Invalid command: {detail}."),
    "bad_date": ("{value} không phải ngày dạng YYYY-MM-DD (ví dụ 2026-11-25)",
                 "{value} is not a date in the form YYYY-MM-DD (e.g. 2026-11-25)"),
    # -- files and folders ----------------------------------------------------------------------------------------
    "settings_not_found": ("Không tìm thấy tệp cài đặt {path}; hãy kiểm tra đường dẫn sau --config.",
                           "Settings file not found: {path}; check the path after --config."),
    "out_is_folder": ("{path} là một thư mục; hãy ghi rõ tên tệp cần ghi.",
                      "{path} is a folder; give the name of the file to write."),
    "out_folder_missing": ("Thư mục {path} không tồn tại; hãy tạo thư mục trước hoặc chọn thư mục khác.",
                           "The folder {path} does not exist; create it first or choose another folder."),
    "out_folder_is_file": ("{path} là một tệp, không phải thư mục; hãy chọn thư mục khác.",
                           "{path} is a file, not a folder; choose another folder."),
    "out_folder_read_only": ("Không ghi được vào thư mục {path} (chỉ đọc hoặc không có quyền); hãy chọn thư mục khác.",
                             "Cannot write in the folder {path} (read-only or no permission); choose another folder."),
    "write_failed": ("Không ghi được {path}: {reason}; hãy chọn nơi khác hoặc giải phóng ổ đĩa rồi chạy lại.",
                     "Could not write {path}: {reason}; choose another place or free up the disk, then run again."),
    "data_unusable": ("Không dùng được thư mục dữ liệu của phần mềm ({path}: {reason}); hãy cho phép ghi vào thư mục "
                      "đó hoặc đặt data_dir trong tệp cài đặt, rồi chạy lại.",
                      "The app's data folder cannot be used ({path}: {reason}); make it writable or set data_dir "
                      "in the settings file, then run again."),
    "data_folder_missing": ("Không có thư mục dữ liệu {path}; hãy kiểm tra đường dẫn sau --data.",
                            "There is no data folder {path}; check the path after --data."),
    "os_error": ("Lỗi hệ thống: {reason}; hãy thử lại, nếu vẫn lỗi gọi {hotline}.",
                 "System error: {reason}; try again, and if it persists call {hotline}."),
    "os_error_file": ("Không dùng được {path}: {reason}; hãy kiểm tra tệp hoặc thư mục đó rồi chạy lại.",
                      "Cannot use {path}: {reason}; check that file or folder, then run again."),
    "unexpected": ("Lỗi ngoài dự kiến ({kind}); chi tiết đã ghi vào {report}. Hãy gọi {hotline} và đọc tệp đó.",
                   "Unexpected error ({kind}); the details are in {report}. Call {hotline} with that file."),
    "start_failed": ("Phần mềm không khởi động được ({detail}); hãy khởi động lại máy, nếu vẫn lỗi gọi {hotline}.",
                     "The app could not start ({detail}); restart the PC, and if it persists call {hotline}."),
    # why the operating system refused (errno), said in words
    "reason_read_only": ("ổ đĩa chỉ cho phép đọc", "the disk is read-only"),
    "reason_permission": ("không có quyền", "permission denied"),
    "reason_disk_full": ("ổ đĩa đã đầy", "the disk is full"),
    "reason_not_found": ("không tồn tại", "does not exist"),
    "reason_not_a_folder": ("một phần của đường dẫn không phải thư mục", "part of the path is not a folder"),
    "reason_is_a_folder": ("đó là một thư mục", "it is a folder"),
    "reason_exists": ("đã có một tệp trùng tên", "a file of that name is in the way"),
    "reason_other": ("{detail}", "{detail}"),
    # -- the app's database ---------------------------------------------------------------------------------------
    "storage_locked": ("Cơ sở dữ liệu của phần mềm ({path}) đang bị chương trình khác giữ; hãy đóng các cửa sổ "
                       "PMV Support Assistant khác rồi chạy lại.",
                       "The app's database ({path}) is held by another program; close the other PMV Support "
                       "Assistant windows, then run again."),
    "storage_newer_schema": ("Dữ liệu ({path}) do một phiên bản mới hơn của phần mềm tạo ra; hãy cài bản mới nhất, "
                             "dữ liệu không bị thay đổi.",
                             "The data ({path}) was written by a newer version of the app; install the latest "
                             "version, the data was not changed."),
    "storage_migration_failed": ("Nâng cấp dữ liệu ({path}) không thành công, dữ liệu cũ đã được khôi phục nguyên "
                                 "vẹn; hãy gọi {hotline}.",
                                 "Upgrading the data ({path}) failed and the old data was put back intact; "
                                 "call {hotline}."),
    "storage_cannot_open": ("Không mở được cơ sở dữ liệu của phần mềm ({path}); hãy kiểm tra quyền truy cập và ổ đĩa "
                            "rồi chạy lại.",
                            "The app's database ({path}) cannot be opened; check permissions and the disk, "
                            "then run again."),
    "storage_disk_full": ("Ổ đĩa chứa dữ liệu của phần mềm ({path}) đã đầy; hãy xóa bớt tệp không cần rồi chạy lại. "
                          "Dữ liệu đã lưu không bị mất.",
                          "The disk holding the app's data ({path}) is full; delete files you do not need, then "
                          "run again. Nothing saved was lost."),
    "storage_read_only": ("Không ghi được vào cơ sở dữ liệu của phần mềm ({path}): ổ đĩa chỉ cho phép đọc hoặc không "
                          "có quyền ghi. Dữ liệu đã lưu vẫn còn nguyên.",
                          "The app's database ({path}) cannot be written: the disk is read-only or writing is not "
                          "permitted. Nothing saved was lost."),
    "storage_disk_error": ("Ổ đĩa báo lỗi khi đọc hoặc ghi dữ liệu của phần mềm ({path}); hãy nhờ kỹ thuật viên "
                           "kiểm tra ổ đĩa, hoặc gọi {hotline}.",
                           "The disk failed a read or a write of the app's data ({path}); have a technician check "
                           "the disk, or call {hotline}."),
    "storage_recovered": ("Cơ sở dữ liệu của phần mềm bị hỏng nên đã được tạo mới; tệp cũ được giữ tại {path} để kỹ "
                          "thuật viên khôi phục, hãy gọi {hotline}.",
                          "The app's database was damaged, so a new one was made; the old file is kept at {path} "
                          "for a technician to rescue, call {hotline}."),
    "storage_damaged": ("Cơ sở dữ liệu của phần mềm ({path}) bị hỏng; hãy chạy lại: tệp hỏng được giữ lại cho kỹ "
                        "thuật viên và một tệp mới được tạo. Cần giúp, gọi {hotline}.",
                        "The app's database ({path}) is damaged; run again: the damaged file is kept for a "
                        "technician and a new one is made. For help, call {hotline}."),
    "health_not_recorded": ("Kết quả kiểm tra ở trên chưa được lưu vào lịch sử. {reason}",
                            "The results above were not saved to the history. {reason}"),
    # -- the settings file (warnings: the command goes on); {where} is FILE or FILE:LINE --------------------------
    "settings_file": ("{where}: không dùng được tệp cài đặt ({reason}); {using}. Hãy sửa tệp.",
                      "{where}: the settings file cannot be used ({reason}); {using}. Fix the file."),
    "settings_unknown_key": ("{where}: mục “{key}” không xác định nên bị bỏ qua (có thể gõ sai tên). Hãy sửa tệp.",
                             "{where}: unknown key “{key}” ignored (perhaps a typo). Fix the file."),
    "settings_invalid_value": ("{where}: mục “{key}” có giá trị “{value}” {reason}; {using}. Hãy sửa tệp.",
                               "{where}: key “{key}” has the value “{value}”, {reason}; {using}. Fix the file."),
    "settings_other_problem": ("{where}: tệp cài đặt có lỗi ({detail}).",
                               "{where}: a problem in the settings file ({detail})."),
    "settings_using_defaults": ("đang dùng cài đặt mặc định", "using the defaults"),
    "settings_using_last_good": ("đang dùng bản cài đặt tốt gần nhất (ngày {day})",
                                 "using the last good settings (of {day})"),
    "settings_using_default_value": ("đang dùng giá trị mặc định", "using the default"),
    "settings_using_last_good_value": ("đang dùng giá trị tốt gần nhất", "using the last good value"),
    # why (app.infra.settings_text.Reason): one value
    "settings_why_wrong_type": ("sai kiểu dữ liệu", "of the wrong type"),
    "settings_why_not_allowed": ("không phải giá trị được phép", "not an allowed value"),
    "settings_why_out_of_range": ("nằm ngoài khoảng cho phép", "out of range"),
    "settings_why_missing_value": ("thiếu một giá trị bắt buộc", "missing a required value"),
    "settings_why_bad_url": ("không phải địa chỉ http:// hoặc https://", "not an http:// or https:// address"),
    "settings_why_bad_path": ("không phải đường dẫn dùng được (đường dẫn Windows: dùng dấu / hoặc dấu nháy đơn)",
                          "not a usable path (Windows paths: use / or single quotes)"),
    "settings_why_bad_hours": ("không phải giờ làm việc hợp lệ", "not valid working hours"),
    "settings_why_not_writable": ("là thư mục không ghi được", "a folder that cannot be written"),
    "settings_why_unknown_key": ("mục không xác định", "an unknown key"),
    # why: the file's syntax (TOML 1.0)
    "settings_why_unterminated_string": ("một chuỗi thiếu dấu nháy đóng", "a string without its closing quote"),
    "settings_why_control_character": ("có ký tự điều khiển trong một chuỗi", "a control character inside a string"),
    "settings_why_bad_escape": ("có dấu gạch chéo ngược trong chuỗi; "
                                "đường dẫn Windows hãy dùng dấu / hoặc dấu nháy đơn",
                            "a backslash inside a string; write Windows paths with / or in single quotes"),
    "settings_why_missing_bracket": ("tên nhóm [..] thiếu dấu ngoặc đóng", "a [section] without its closing bracket"),
    "settings_why_duplicate_key": ("một mục được đặt hai lần", "a key set twice"),
    "settings_why_duplicate_table": ("một nhóm [..] xuất hiện hai lần", "a [section] given twice"),
    "settings_why_bad_value": ("một giá trị viết sai dạng", "a malformed value"),
    "settings_why_bad_line": ("một dòng không có dạng tên = giá trị", "a line that is not name = value"),
    "settings_why_unclosed_list": ("một danh sách [ hoặc {{ chưa được đóng", "a list or table never closed"),
    # why: the file itself
    "settings_why_not_utf8": ("tệp không lưu ở mã UTF-8; hãy lưu lại với mã UTF-8",
                              "not saved as UTF-8; save it as UTF-8"),
    "settings_why_no_access": ("không có quyền đọc tệp", "no permission to read it"),
    "settings_why_read_failed": ("không đọc được tệp", "it could not be read"),
    "settings_why_empty_file": ("tệp trống", "the file is empty"),
    "settings_why_file_missing": ("tệp không còn", "the file is gone"),
    "settings_why_other": ("không hợp lệ", "not valid"),
    # -- the GUI's options ------------------------------------------------------------------------------------------
    "screenshot_not_png": ("--screenshot cần tên tệp .png, không phải {path}.",
                           "--screenshot needs a .png file name, not {path}."),
    # -- demo-shop ------------------------------------------------------------------------------------------------
    "demo_not_a_folder": ("{path} đã có và không phải thư mục; hãy chọn một thư mục trống.",
                          "{path} exists and is not a folder; choose an empty folder."),
    "demo_not_empty": ("Thư mục {path} không trống và không phải cửa hàng mẫu; hãy chọn một thư mục trống.",
                       "The folder {path} is not empty and is not a demo shop; choose an empty folder."),
    "demo_exists": ("{path} đã có một cửa hàng mẫu; thêm --force để tạo lại.",
                    "{path} already holds a demo shop; add --force to recreate it."),
    "demo_today_range": ("--today phải trong các năm 2000 đến 2999, không phải {value}.",
                         "--today must be in the years 2000 to 2999, not {value}."),
    "demo_failed": ("Không tạo được cửa hàng mẫu: {detail}.", "Could not make the demo shop: {detail}."),
    # -- devices --------------------------------------------------------------------------------------------------
    "sheet_not_pdf": ("Tờ mã thử chỉ ghi dạng PDF (để in đúng 100%); hãy đặt tên tệp kết thúc bằng .pdf, "
                      "không phải {name}.",
                      "The test sheet is written only as a PDF (to print at 100%); give a file name ending in .pdf, "
                      "not {name}."),
    # -- label ------------------------------------------------------------------------------------------------------
    "tag_field": ("Tem không hợp lệ: {field} {problem}; hãy sửa rồi chạy lại.",
                  "Tag refused: {field} {problem}; correct it and run again."),
    "field_item_code": ("mã hàng (--item-code)", "the item code (--item-code)"),
    "field_product_name": ("tên hàng (--product)", "the product name (--product)"),
    "field_purity_code": ("tuổi vàng (--purity)", "the purity (--purity)"),
    "field_gross_weight_mg": ("tổng trọng lượng (--gross-mg)", "the gross weight (--gross-mg)"),
    "field_stone_weight_mg": ("trọng lượng đá (--stone-mg)", "the stone weight (--stone-mg)"),
    "field_labour_vnd": ("tiền công (--labour)", "the labour charge (--labour)"),
    "field_price_vnd": ("giá (--price)", "the price (--price)"),
    "field_count": ("số tem (--count)", "the number of tags (--count)"),
    "field_other": ("{name}", "{name}"),
    "tag_unknown_purity": ("không phải tuổi vàng đã biết (9999, 999, 99, 98, 750, 610, 585, 417 hoặc một số 3 chữ số)",
                           "is not a known purity (9999, 999, 99, 98, 750, 610, 585, 417 or a 3-digit code)"),
    "tag_out_of_range": ("phải trong khoảng {detail}", "must be within {detail}"),
    "tag_no_number": ("phải kết thúc bằng chữ số để đánh số loạt tem", "must end in digits to number a run of tags"),
    "tag_bad_item_code": ("chỉ được có chữ không dấu, chữ số, dấu cách và ký hiệu ASCII (1 đến 40 ký tự)",
                          "may only hold plain letters, digits, spaces and ASCII symbols (1 to 40 characters)"),
    "tag_empty": ("không được để trống", "must not be empty"),
    "tag_too_long": ("quá dài so với mẫu tem", "is too long for the template"),
    "tag_not_a_non_negative_integer": ("phải là số nguyên không âm", "must be a whole number, not negative"),
    "tag_zero": ("không được bằng 0", "must not be 0"),
    "tag_heavier_than_gross": ("nặng hơn tổng trọng lượng", "is heavier than the gross weight"),
    "tag_other": ("không hợp lệ ({detail})", "is not valid ({detail})"),
    "tag_refused": ("Không in: {problem}", "Not printed: {problem}"),
    "verify_too_long_for_label": ("mã quá dài so với đầu tem ở độ phân giải này, tem in ra sẽ không quét được; "
                                  "hãy dùng mã ngắn hơn, mẫu tem lớn hơn hoặc máy in 300 dpi.",
                                  "the code is too long for the tag's head at this resolution and would not scan; use "
                                  "a shorter code, a larger template or a 300 dpi printer."),
    "verify_bars_too_thin": ("vạch mã quá mảnh so với độ phân giải máy in, máy quét sẽ khó đọc; "
                             "hãy dùng máy in 300 dpi hoặc mã ngắn hơn.",
                             "the bars are too thin for the printer's resolution and would scan badly; use a 300 dpi "
                             "printer or a shorter code."),
    "verify_does_not_decode": ("mã vạch trên tem không đọc lại được; hãy dùng mã ngắn hơn hoặc mẫu tem khác.",
                               "the barcode on the tag does not read back; use a shorter code or another template."),
    "verify_text_too_wide": ("một dòng chữ dài quá chỗ trên tem (ra ngoài đầu in hoặc lấn vào mã vạch); hãy rút ngắn "
                             "tên hàng hoặc chọn mẫu tem rộng hơn.",
                             "a line of text is too long for the tag (past the print head or into the code); shorten "
                             "the item's name or choose a wider template."),
    "layout_long_code_datamatrix": ("Mã dài: in mã 2D DataMatrix; máy quét của quầy cần đọc được mã 2D.",
                                    "Long code: printing a 2D DataMatrix code; "
                                    "the counter's scanner must read 2D codes."),
    "layout_long_code_qr": ("Mã dài: in mã 2D QR; máy quét của quầy cần đọc được mã 2D.",
                            "Long code: printing a 2D QR code; the counter's scanner must read 2D codes."),
    "verify_decodes_wrong": ("mã vạch đọc lại ra nội dung khác; hãy gọi {hotline}.",
                             "the barcode reads back as something else; call {hotline}."),
    "print_failed": ("Không in được tới {target}: {problem}", "Could not print to {target}: {problem}"),
    "transport_not_reachable": ("không kết nối được máy in; hãy kiểm tra nguồn, dây mạng/cáp và địa chỉ IP.",
                                "the printer cannot be reached; check its power, cable and IP address."),
    "transport_timeout": ("máy in không trả lời kịp; có thể đang bận, kẹt giấy hoặc sai ngôn ngữ máy in.",
                          "the printer did not answer in time; it may be busy, jammed, or set to another language."),
    "transport_refused": ("máy in từ chối kết nối; hãy kiểm tra cổng (thường là 9100) hoặc chờ máy in rảnh.",
                          "the printer refused the connection; "
                          "check the port (usually 9100) or wait until it is free."),
    "transport_not_found": ("không tìm thấy máy in, cổng hoặc hàng đợi này; hãy kiểm tra tên.",
                            "no such printer, port or queue; check the name."),
    "transport_bad_target": ("địa chỉ máy in không đúng dạng (ví dụ tcp://192.168.1.50:9100, serial://COM3?baud=9600).",
                             "the printer address is malformed (e.g. tcp://192.168.1.50:9100, serial://COM3?baud=9600)."),
    "label_count_needs_printer": ("Loạt tem (--count) là lệnh cho máy in; hãy dùng --lang zpl, tspl hoặc ezpl.",
                                  "A run of tags (--count) is a printer job; use --lang zpl, tspl or ezpl."),
    "label_file_only": ("Tem PDF và PNG chỉ ghi ra tệp; hãy dùng --out TỆP thay cho --send.",
                        "PDF and PNG tags can only be written to a file; use --out FILE instead of --send."),
    "template_not_found": ("Không có mẫu tem {name}; các mẫu có: {choices}.",
                           "There is no label template {name}; the templates are: {choices}."),
    "template_file_not_found": ("Không tìm thấy tệp mẫu tem {path}; hãy kiểm tra đường dẫn sau --template.",
                                "Label template file not found: {path}; check the path after --template."),
    "template_bad": ("Mẫu tem {name} không dùng được ({detail}); hãy sửa tệp mẫu hoặc chọn mẫu khác.",
                     "The label template {name} cannot be used ({detail}); fix it or choose another."),
    "label_run_failed": ("Không tạo được loạt tem ({detail}); hãy thử lại, nếu vẫn lỗi gọi {hotline}.",
                         "The run of tags could not be made ({detail}); try again, and if it persists call {hotline}."),
    # -- updates --------------------------------------------------------------------------------------------------
    "updates_not_configured": ("Máy này chưa được cấu hình máy chủ cập nhật (thiếu khóa gốc TUF của nhà cung cấp); "
                               "hãy gọi {hotline}.",
                               "Updates are not set up on this PC (the vendor's TUF root key is missing); "
                               "call {hotline}."),
    "update_security": ("Bản cập nhật không có chữ ký hợp lệ của nhà cung cấp (có thể đã bị sửa hoặc máy chủ bị giả "
                        "mạo); không cài gì, giữ nguyên bản đang dùng. Hãy gọi {hotline}.",
                        "The update is not validly signed by the vendor (it may have been altered, or the server "
                        "faked); nothing was installed, the current version stays. Call {hotline}."),
    "update_network": ("Không tải được bản cập nhật (mạng); không cài gì. Hãy kiểm tra kết nối Internet rồi chạy lại.",
                       "The update could not be downloaded (network); nothing was installed. Check the Internet "
                       "connection, then run again."),
    "update_too_large": ("Máy chủ gửi dữ liệu lớn hơn bản đã ký nên đã dừng; không cài gì. Hãy gọi {hotline}.",
                         "The server sent more than the signed size, so the download was stopped; nothing was "
                         "installed. Call {hotline}."),
    "update_hash_mismatch": ("Tệp tải về không khớp bản đã ký; không cài gì. Hãy chạy lại, nếu vẫn lỗi gọi {hotline}.",
                             "The downloaded file does not match the signed one; nothing was installed. Run again, "
                             "and if it persists call {hotline}."),
    "update_cancelled": ("Đã dừng cập nhật; phần đã tải được giữ để lần sau tải tiếp.",
                         "The update was stopped; what was downloaded is kept for next time."),
    "update_busy": ("Đang có một lần cập nhật khác chạy; hãy chờ xong rồi chạy lại.",
                    "Another update is running; wait for it to finish, then run again."),
    "update_storage": ("Không ghi được bản cập nhật vào ổ đĩa (đầy hoặc không có quyền); không cài gì. Hãy giải phóng "
                       "ổ đĩa rồi chạy lại.",
                       "The update could not be written to the disk (full, or no permission); nothing was "
                       "installed. Free up the disk, then run again."),
    "rollback_unknown_pack": ("Chưa cài gói quy định {pack}; xem các gói đã cài bằng: {app} updates list.",
                              "The regulation pack {pack} is not installed; see the installed packs with: "
                              "{app} updates list."),
    "rollback_no_previous": ("Gói quy định {pack} không có bản trước để quay lại (chỉ có sau một lần cập nhật gói); "
                             "bản đang dùng được giữ nguyên.",
                             "The regulation pack {pack} has no earlier version to go back to (there is one only after "
                             "an update of the pack); the current version stays."),
    # updates import DIR: an offline copy (USB stick) made with pmv-vendor repo export-offline
    "usb_not_found": ("Không có thư mục {path}; hãy cắm USB và kiểm tra đường dẫn.",
                      "There is no folder {path}; plug the USB stick in and check the path."),
    "usb_not_a_folder": ("{path} là một tệp, không phải thư mục; hãy chỉ đến thư mục bản cập nhật trên USB.",
                         "{path} is a file, not a folder; give the update folder on the USB stick."),
    "usb_not_a_copy": ("{path} không phải bản cập nhật ngoại tuyến (không có metadata/timestamp.json); hãy chọn "
                       "thư mục nhà cung cấp đã chép bằng pmv-vendor repo export-offline.",
                       "{path} is not an offline update copy (no metadata/timestamp.json); choose the folder the "
                       "vendor wrote with pmv-vendor repo export-offline."),
    "usb_unfinished": ("Bản cập nhật trong {path} chưa được chép xong (lệnh xuất bị ngắt giữa chừng); hãy xin nhà "
                       "cung cấp chép lại (pmv-vendor repo export-offline).",
                       "The update copy in {path} was not finished (the export was cut short); ask the vendor to "
                       "write it again (pmv-vendor repo export-offline)."),
    "usb_stale": ("Bản cập nhật trên USB đã hết hạn từ {expired} ({days} ngày trước); không cài gì. Hãy xin nhà "
                  "cung cấp một bản mới (pmv-vendor repo export-offline).",
                  "The update copy on the USB stick expired on {expired} ({days} days ago); nothing was installed. "
                  "Ask the vendor for a new copy (pmv-vendor repo export-offline)."),
    "usb_foreign": ("Bản cập nhật trên USB không phải của nhà cung cấp của bạn (chữ ký không khớp khóa gốc của máy "
                    "này); không cài gì. Hãy gọi {hotline}.",
                    "The update copy on the USB stick is not from your vendor (its signatures do not match this "
                    "PC's root key); nothing was installed. Call {hotline}."),
    "usb_rollback": ("Bản cập nhật trên USB cũ hơn bản máy này đã có; không cài gì, giữ nguyên bản đang dùng. Hãy "
                     "xin nhà cung cấp một bản mới (pmv-vendor repo export-offline).",
                     "The update copy on the USB stick is older than what this PC already has; nothing was "
                     "installed, the current version stays. Ask the vendor for a new copy "
                     "(pmv-vendor repo export-offline)."),
    "usb_tampered": ("Bản cập nhật trên USB đã bị sửa hoặc hỏng (không khớp chữ ký của nhà cung cấp); không cài gì, "
                     "giữ nguyên bản đang dùng. Hãy chép lại từ nhà cung cấp hoặc gọi {hotline}.",
                     "The update copy on the USB stick was altered or is damaged (it does not match the vendor's "
                     "signatures); nothing was installed, the current version stays. Copy it again from the "
                     "vendor or call {hotline}."),
    "usb_incomplete": ("Bản cập nhật trên USB thiếu tệp hoặc không đọc được; không cài gì thêm. Hãy chép lại đầy đủ "
                       "từ nhà cung cấp rồi chạy lại.",
                       "The update copy on the USB stick is missing a file or cannot be read; nothing more was "
                       "installed. Copy it again in full from the vendor, then run again."),
    "packs_busy": ("Một tiến trình khác đang cài gói quy định; hãy chờ xong rồi chạy lại.",
                   "Another process is installing regulation packs; wait for it to finish, then run again."),
    "pack_invalid": ("Gói quy định không hợp lệ ({detail}); không cài gì. Hãy gọi {hotline}.",
                     "The regulation pack is not valid ({detail}); nothing was installed. Call {hotline}."),
    "pack_refused": ("Gói quy định {pack} bản {version} không đọc được bằng phiên bản phần mềm này nên chưa cài; "
                     "các bản cập nhật khác vẫn được cài. Hãy gọi {hotline}.",
                     "Regulation pack {pack} version {version} cannot be read by this version of the app, so it was "
                     "not installed; the other updates were. Call {hotline}."),
    # -- warranty -------------------------------------------------------------------------------------------------
    "contract_file_not_found": ("Không tìm thấy tệp hợp đồng {path}; hãy kiểm tra đường dẫn sau --import.",
                                "Contract file not found: {path}; check the path after --import."),
    "contract_refused": ("Không nhận hợp đồng trong {path}: {reason} {kept}",
                         "The contract in {path} was refused: {reason} {kept}"),
    "contract_malformed": ("tệp này không phải là hợp đồng của Phần Mềm Vàng.", "this file is not a PMV contract."),
    "contract_unsigned": ("hợp đồng không có chữ ký số.", "the contract is not signed."),
    "contract_unknown_key": ("hợp đồng được ký bằng một khóa mà phần mềm không tin cậy.",
                             "the contract is signed with a key this app does not trust."),
    "contract_bad_signature": ("chữ ký số không khớp, nội dung hợp đồng đã bị sửa sau khi ký.",
                               "the signature does not match: the contract was altered after signing."),
    "contract_wrong_shop": ("hợp đồng này là của một cửa hàng khác.", "this contract is for another shop."),
    "contract_invalid": ("nội dung hợp đồng không hợp lệ (thiếu mục, sai ngày, thời hạn, số hợp đồng hoặc "
                         "thông tin nhà cung cấp).",
                         "the contract's content is not valid (a missing field, or wrong dates, terms, contract "
                         "number or vendor details)."),
    "contract_kept": ("Hợp đồng đang dùng vẫn được giữ nguyên; hãy xin nhà cung cấp tệp đúng hoặc gọi {hotline}.",
                      "The contract in force stays; ask the vendor for the right file or call {hotline}."),
    "contract_none_kept": ("Máy này vẫn chưa có hợp đồng; hãy xin nhà cung cấp tệp đúng hoặc gọi {hotline}.",
                           "This PC still has no contract; ask the vendor for the right file or call {hotline}."),
    "warranty_no_contract": ("Máy này chưa có hợp đồng bảo hành; hãy chạy lại với --refresh (lấy từ máy chủ) hoặc "
                             "--import TỆP (tệp hợp đồng nhà cung cấp gửi).",
                             "This PC has no warranty contract yet; run again with --refresh (from the vendor "
                             "server) or --import FILE (the contract file the vendor sent)."),
    "warranty_saved_invalid": ("Hợp đồng đã lưu không còn hợp lệ: {reason} Hãy chạy lại với --refresh hoặc "
                               "--import TỆP.",
                               "The saved contract no longer verifies: {reason} Run again with --refresh or "
                               "--import FILE."),
    "refresh_refused": ("Máy chủ gửi một hợp đồng không nhận được: {reason} Đang dùng hợp đồng đã lưu.",
                        "The vendor server sent a contract that was refused: {reason} Using the saved contract."),
    "refresh_offline": ("Không lấy được hợp đồng từ máy chủ: {reason} Đang dùng hợp đồng đã lưu.",
                        "Could not fetch the contract from the vendor server: {reason} Using the saved contract."),
    "refresh_failed_no_contract": ("Không lấy được hợp đồng từ máy chủ: {reason} Máy này chưa có hợp đồng nào; hãy thử "
                                   "lại khi có mạng, hoặc chạy lại với --import TỆP (tệp hợp đồng nhà cung cấp gửi), "
                                   "hoặc gọi {hotline}.",
                                   "Could not fetch the contract from the vendor server: {reason} This PC has no "
                                   "contract yet; try again when online, or run again with --import FILE (the "
                                   "contract file the vendor sent), or call {hotline}."),
    "api_not_configured": ("máy này chưa được cài mã kết nối cửa hàng (lệnh {app} shop-token).",
                           "this PC has no shop token yet (command {app} shop-token)."),
    "api_offline": ("không kết nối được máy chủ hỗ trợ (mất mạng?).",
                    "the vendor server cannot be reached (offline?)."),
    "api_timeout": ("máy chủ hỗ trợ không trả lời kịp.", "the vendor server did not answer in time."),
    "api_unauthorized": ("máy chủ từ chối mã kết nối của cửa hàng.", "the vendor server refused the shop token."),
    "api_not_found": ("máy chủ chưa có hợp đồng cho cửa hàng này.", "the vendor server has no contract for this shop."),
    "api_too_large": ("máy chủ trả lời quá lớn.", "the vendor server's answer is too large."),
    "api_server": ("máy chủ hỗ trợ đang gặp lỗi.", "the vendor server has a problem."),
    "api_bad_response": ("máy chủ trả lời không đúng định dạng.", "the vendor server's answer is malformed."),
    # -- setup -------------------------------------------------------------------------------------------------------
    "setup_pos_not_found": ("Không tìm thấy PMV ở các nơi thường cài. Chỉ thư mục cài PMV (nơi có PMV.exe) bằng "
                            "--pos-dir.",
                            "PMV was not found where it is usually installed. Name the PMV install folder (where "
                            "PMV.exe is) with --pos-dir."),
    "setup_pos_not_at": ("Không tìm thấy PMV ({path}): thư mục này không có PMV.ini hay version.txt. Chỉ thư mục "
                         "cài PMV (nơi có PMV.exe).",
                         "PMV was not found ({path}): this folder has no PMV.ini or version.txt. Name the PMV "
                         "install folder (where PMV.exe is)."),
    "setup_database": ("Không mở được dữ liệu PMV ({problem}) tại {path}. Kiểm tra đường dẫn trong PMV.ini, "
                       "hoặc gọi {hotline}.",
                       "The PMV database cannot be opened ({problem}) at {path}. Check the path in PMV.ini, "
                       "or call {hotline}."),
    "setup_not_enrolled": ("Chưa kích hoạt: thêm --enrol MÃ (mã kích hoạt nhà cung cấp gửi), hoặc --token MÃ "
                           "--contract TỆP cho cửa hàng không có Internet.",
                           "Not enrolled: add --enrol CODE (the vendor's enrolment code), or --token TOKEN "
                           "--contract FILE for a shop without Internet."),
    "setup_offline_half": ("--token và --contract phải đi cùng nhau (cửa hàng không có Internet).",
                           "--token and --contract go together (a shop without Internet)."),
    "enrol_format": ("Mã không đúng — kiểm tra lại ký tự thứ {position}.",
                     "Wrong code — check character {position}."),
    "enrol_format_any": ("Mã kích hoạt gõ chưa đúng (cần 10 ký tự); kiểm tra lại từng ký tự.",
                         "The enrolment code is mistyped (it has 10 characters); check each character."),
    "enrol_input_method": ("Mã kích hoạt có chữ tiếng Việt (ký tự thứ {position}): hãy tắt bộ gõ tiếng Việt "
                           "(Unikey, EVKey) rồi gõ lại mã.",
                           "The enrolment code holds a Vietnamese letter (character {position}): turn off the "
                           "Vietnamese input method (Unikey, EVKey) and type the code again."),
    "enrol_unknown": ("Không có mã kích hoạt này. Kiểm tra lại mã, hoặc gọi {hotline} để được cấp mã mới.",
                      "No such enrolment code. Check the code, or call {hotline} for a new one."),
    "enrol_expired": ("Mã kích hoạt đã hết hạn (mã dùng được 72 giờ). Gọi {hotline} để được cấp mã mới.",
                      "The enrolment code has expired (codes last 72 hours). Call {hotline} for a new one."),
    "enrol_used": ("Mã kích hoạt này đã được dùng; mỗi mã chỉ dùng một lần. Gọi {hotline} để được cấp mã mới.",
                   "This enrolment code has been used; each code works once. Call {hotline} for a new one."),
    "enrol_throttled": ("Nhập sai quá nhiều lần. Thử lại sau {minutes} phút, hoặc gọi {hotline}.",
                        "Too many wrong tries. Try again in {minutes} minutes, or call {hotline}."),
    "enrol_unreachable": ("Không kích hoạt được: {reason} Thử lại sau, hoặc dùng --token và --contract.",
                          "Enrolment failed: {reason} Try again later, or use --token and --contract."),
    "enrol_contract": ("Hợp đồng máy chủ gửi không xác thực được nên chưa nhận ({reason}). Gọi {hotline}.",
                       "The contract the server sent does not verify, so it was not taken ({reason}). "
                       "Call {hotline}."),
    "setup_contract": ("Tệp hợp đồng không dùng được: {reason}", "The contract file cannot be used: {reason}"),
    "setup_contract_missing": ("Không tìm thấy tệp hợp đồng {path}; hãy kiểm tra đường dẫn sau --contract. Không có "
                               "gì bị thay đổi.",
                               "Contract file not found: {path}; check the path after --contract. Nothing was "
                               "changed."),
    "setup_vendor_url": ("Địa chỉ máy chủ nhà cung cấp {url} không dùng được: phải bắt đầu bằng http:// hoặc "
                         "https://. Không có gì bị thay đổi.",
                         "The vendor server address {url} cannot be used: it must start with http:// or https://. "
                         "Nothing was changed."),
    # why the POS database is not the shop's (app.setup.pos_proof.ProofProblem), after "không mở được … ("
    "setup_proof_missing": ("không có tệp dữ liệu ở đường dẫn này", "there is no database file at this path"),
    "setup_proof_not_a_database": ("tệp này không phải dữ liệu PMV hoặc đã bị hỏng",
                                   "the file is not a PMV database, or it is damaged"),
    "setup_proof_unreadable": ("không có quyền mở tệp, hoặc tệp đang bị khóa", "no permission to open it, or it is "
                                                                               "locked"),
    "setup_proof_no_pos_tables": ("đây là một cơ sở dữ liệu nhưng không phải của PMV",
                                  "a database, but not PMV's"),
    "setup_proof_bad_url": ("chuỗi kết nối máy chủ dữ liệu không dùng được", "the database server's connection "
                                                                              "string cannot be used"),
    "setup_proof_driver_missing": ("bản cài này thiếu trình kết nối máy chủ dữ liệu",
                                   "this install lacks the database server's driver"),
    "setup_proof_server_unreachable": ("không kết nối được máy chủ dữ liệu", "the database server does not answer"),
    "setup_proof_login_refused": ("máy chủ dữ liệu từ chối tên đăng nhập hoặc mật khẩu trong PMV.ini",
                                  "the database server refused the login or password in PMV.ini"),
    "setup_proof_server_no_database": ("máy chủ dữ liệu không có cơ sở dữ liệu PMV ghi trong PMV.ini",
                                       "the database server has no PMV database named in PMV.ini"),
    "setup_proof_server_error": ("máy chủ dữ liệu báo lỗi", "the database server reported an error"),
    "setup_not_written": ("Chưa lưu được thiết lập: {reason}. Không có gì bị thay đổi.",
                          "The settings could not be written: {reason}. Nothing was changed."),
    "setup_not_written_kept": ("Chưa lưu được thiết lập: {reason}. Cửa hàng đã được kích hoạt và việc kích hoạt "
                               "được giữ lại trên máy này: sửa lỗi trên rồi chạy lại đúng lệnh này, không cần mã "
                               "mới.",
                               "The settings could not be written: {reason}. The shop is enrolled and the enrolment "
                               "is kept on this PC: fix the above, then run the same command again; no new code is "
                               "needed."),
    "setup_not_written_lost": ("Chưa lưu được thiết lập: {reason}. Mã kích hoạt đã được dùng nhưng việc kích hoạt "
                               "không giữ lại được trên máy này (thư mục dữ liệu từ chối ghi): sửa lỗi rồi gọi "
                               "{hotline} để được cấp mã mới.",
                               "The settings could not be written: {reason}. The enrolment code was used, but the "
                               "enrolment could not be kept on this PC (the data folder refused it): fix this, then "
                               "call {hotline} for a new code."),
    # -- shop-token, apply-update, tray-jobs -------------------------------------------------------------------------
    "token_empty": ("Mã cửa hàng trống; hãy dán mã mà lệnh pmv-vendor add-shop đã in.",
                    "The shop token is empty; paste the token that pmv-vendor add-shop printed."),
    "token_not_stored": ("Không lưu được mã cửa hàng: {reason}; hãy kiểm tra quyền ghi rồi chạy lại.",
                         "The shop token could not be stored: {reason}; check write permissions, then run again."),
    "json_list_expected": ("{option} phải là một danh sách JSON các chuỗi, ví dụ [\"--minimized\"], "
                           "không phải {value}.",
                           "{option} must be a JSON list of strings, e.g. [\"--minimized\"], not {value}."),
}


# English's singular for the messages that count: code -> (the counted parameter, the English text when it is 1).
# Vietnamese has one form; English says "1 minute" but "2 minutes" and "0 minutes".
ENGLISH_ONE: dict[str, tuple[str, str]] = {
    "usb_stale": ("days", "The update copy on the USB stick expired on {expired} ({days} day ago); nothing was "
                          "installed. Ask the vendor for a new copy (pmv-vendor repo export-offline)."),
    "enrol_throttled": ("minutes", "Too many wrong tries. Try again in {minutes} minute, or call {hotline}."),
}


@dataclass(frozen=True)
class Msg:
    """A message to say later, in the language known then; a parameter may itself be a Msg."""

    code: str
    params: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, **params: object) -> Msg:
        return cls(code, params)


def _one_line(value: object) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", str(value)).strip()


def say(message: Msg | str, language: str, **params: object) -> str:
    """The text of ``message`` (a Msg, or a code with ``params``) in ``language``; always one line."""
    if isinstance(message, str):
        message = Msg(message, params)
    vi, en = MESSAGES[message.code]
    values: dict[str, object] = {"hotline": HOTLINE, "app": APP_ID}
    for name, value in message.params.items():
        values[name] = say(value, language) if isinstance(value, Msg) else _one_line(value)
    template = en if language == "en" else vi
    counted, singular = ENGLISH_ONE.get(message.code, ("", ""))
    if language == "en" and counted and str(message.params.get(counted)) == "1":
        template = singular
    return template.format(**values)


def line(kind: str, message: Msg | str, language: str) -> str:
    """``pmv-support: lỗi: …`` (``kind``: error or warning)."""
    text = message if isinstance(message, str) else say(message, language)
    return f"{APP_ID}: {say('label_' + kind, language)}: {text}"


# -- the interface language ------------------------------------------------------------------------------------------

def _option_value(argv: Sequence[str], option: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == option and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(option + "="):
            return arg[len(option) + 1:]
    return None


def requested_language(argv: Sequence[str]) -> str | None:
    """``--lang vi|en`` anywhere on the line (``label --lang zpl`` names a printer language, never vi or en)."""
    for index, arg in enumerate(argv):
        value = argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else (
            arg[len("--lang="):] if arg.startswith("--lang=") else None)
        if value in LANGUAGES:
            return value
    return None


def interface_language(argv: Sequence[str]) -> str:
    """What the app would speak for this command line; read softly (it only words a message)."""
    requested = requested_language(argv)
    if requested is not None:
        return requested
    from app.infra.early_settings import first_paint_language

    config = _option_value(argv, "--config")
    try:
        return first_paint_language(Path(config) if config else None, demo="--demo" in argv, requested=None)
    except Exception:  # noqa: BLE001  (a language guess must never hide the message it is for)
        return "vi"


# -- the operating system's refusals in words ----------------------------------------------------------------------

_ERRNO_CODES = {
    errno.EROFS: "reason_read_only",
    errno.EACCES: "reason_permission",
    errno.EPERM: "reason_permission",
    errno.ENOSPC: "reason_disk_full",
    errno.ENOENT: "reason_not_found",
    errno.ENOTDIR: "reason_not_a_folder",
    errno.EISDIR: "reason_is_a_folder",
    errno.EEXIST: "reason_exists",
}


def os_reason(error: OSError) -> Msg:
    """Why the system refused, in words; other errors keep the system's own text."""
    code = _ERRNO_CODES.get(error.errno or -1)
    if code is not None:
        return Msg(code)
    return Msg.of("reason_other", detail=error.strerror or str(error) or type(error).__name__)


def os_failure(error: OSError) -> Msg:
    if error.filename:
        return Msg.of("os_error_file", path=error.filename, reason=os_reason(error))
    return Msg.of("os_error", reason=os_reason(error))


def start_failure(error: BaseException, data_dir: Path | None = None) -> Msg:
    """Why a start-up (bootstrap: folders, log file, database) failed."""
    from app.storage.errors import StorageError

    if isinstance(error, StorageError):
        return Msg.of(f"storage_{error.failure.value}", path=error.path)  # SQLite's own words: in the log
    if isinstance(error, OSError):
        return Msg.of("data_unusable", path=error.filename or data_dir or "?", reason=os_reason(error))
    return Msg.of("start_failed", detail=f"{type(error).__name__}: {error}")


# -- argparse's messages ----------------------------------------------------------------------------------------
# The templates are CPython's (Lib/argparse.py, 3.11-3.13): "argument %(argument_name)s: %(message)s" wrapping
# "invalid choice: %(value)r (choose from %(choices)s)", "invalid %(type)s value: %(value)r", "expected one
# argument", "not allowed with argument %s", "ignored explicit argument %r"; and the parser's own "the following
# arguments are required: %s", "one of the arguments %s is required", "unrecognized arguments: %s",
# "ambiguous option: %(option)s could match %(matches)s".  Anything else is passed on as usage_other.
_USAGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), code) for pattern, code in (
    (r"argument (?P<arg>COMMAND|ACTION): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
     "usage_unknown_command"),
    (r"argument (?P<arg>[^:]+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)", "usage_choice"),
    (r"argument (?P<arg>[^:]+): invalid int value: (?P<value>.+)", "usage_not_a_number"),
    (r"argument (?P<arg>[^:]+): invalid \S+ value: (?P<value>.+)", "usage_bad_value"),
    (r"argument (?P<arg>[^:]+): expected one argument", "usage_needs_value"),
    (r"argument (?P<arg>[^:]+): expected .*arguments?", "usage_needs_values"),
    (r"argument (?P<arg>[^:]+): not allowed with argument (?P<other>.+)", "usage_not_together"),
    (r"argument (?P<arg>[^:]+): ignored explicit argument (?P<value>.+)", "usage_no_value"),
    (r"the following arguments are required: (?P<what>.+)", "usage_required"),
    (r"one of the arguments (?P<what>.+) is required", "usage_one_of"),
    (r"unrecognized arguments: (?P<what>.+)", "usage_unrecognized"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", "usage_ambiguous"),
    # the app's own argument types raise messages already worded here (e.g. bad_date)
    (r"argument (?P<arg>[^:]+): (?P<detail>.+)", "usage_argument"),
))


def usage_message(message: str, prog: str, language: str) -> str:
    """argparse's ``message`` as one line in ``language``, with where to read the command's help."""
    for pattern, code in _USAGE_PATTERNS:
        match = pattern.fullmatch(message.strip())
        if match is not None:
            text = say(code, language, **match.groupdict())
            break
    else:
        text = say("usage_other", language, detail=message.strip())
    return f"{text} {say('usage_help', language, prog=prog)}"
