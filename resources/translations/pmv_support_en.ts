<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/ui/about.py" line="24"/>
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="28"/>
        <source>Phiên bản %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="31"/>
        <source>Trợ lý hỗ trợ của Phần Mềm Vàng: kiểm tra hệ thống, gửi yêu cầu hỗ trợ, theo dõi bảo hành – bảo trì và kiểm tra thiết bị mã vạch.</source>
        <translation>The Phần Mềm Vàng support assistant: system checks, support requests, warranty and maintenance status, and barcode device tests.</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="35"/>
        <source>Đường dây nóng 24/7: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>24/7 hotline: &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="41"/>
        <source>Tệp cấu hình: %1</source>
        <translation>Settings file: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="42"/>
        <source>Thư mục dữ liệu: %1</source>
        <translation>Data folder: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="43"/>
        <source>Nhật ký: %1</source>
        <translation>Log: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="52"/>
        <source>Sao chép thông tin</source>
        <translation>Copy details</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="53"/>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>AppUpdatePanel</name>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="38"/>
        <source>Phần mềm PMV Support Assistant</source>
        <translation>PMV Support Assistant software</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="44"/>
        <source>Khởi động lại để cập nhật</source>
        <translation>Restart to update</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="54"/>
        <source>Đang dùng bản %1</source>
        <translation>Running version %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="60"/>
        <source>Bản %1 đã tải về và kiểm tra chữ ký. Sẽ cài khi mở lại phần mềm (Windows hỏi quyền quản trị); bản đang dùng được giữ lại để quay về nếu bản mới không chạy.</source>
        <translation>Version %1 has been downloaded and its signature verified. It installs when the app is next opened (Windows asks for administrator rights); the current version is kept to go back to if the new one does not run.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="64"/>
        <source>Bản %1 đã tải về và kiểm tra chữ ký. Sẽ tự cài khi mở lại phần mềm hoặc ngoài giờ giao dịch (%2) khi cửa sổ đang ẩn; bản đang dùng được giữ lại để quay về nếu bản mới không chạy.</source>
        <translation>Version %1 has been downloaded and its signature verified. It installs itself when the app is next opened, or outside trading hours (%2) while the window is hidden; the current version is kept to go back to if the new one does not run.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="70"/>
        <source>Phần mềm trên máy này do kỹ thuật viên của nhà cung cấp cập nhật, không tự đổi phiên bản. Khi cần bản mới, hãy gọi %1; dữ liệu của cửa hàng được giữ nguyên.</source>
        <translation>The software on this PC is updated by the vendor&apos;s technician and does not change version by itself. When you need a new version, call %1; the shop&apos;s data is kept.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="73"/>
        <source>Không có bản phần mềm mới đang chờ cài.</source>
        <translation>No new app version is waiting to be installed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="82"/>
        <source>Đã cập nhật lên bản %1 lúc %2.</source>
        <translation>Updated to version %1 at %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="86"/>
        <source>Bản %1 không chạy được trên máy này (%2) nên đã tự quay về bản %3 lúc %4; bản %1 sẽ không được cài lại. Gọi %5 nếu cần hỗ trợ.</source>
        <translation>Version %1 does not run on this PC (%2), so the app went back to version %3 at %4; version %1 will not be installed again. Call %5 if you need help.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="91"/>
        <source>Bản %1 không cài được (trình cập nhật không chạy xong hai lần) nên đã bỏ qua; phần mềm vẫn dùng bản đang chạy. Gọi %2 nếu cần hỗ trợ.</source>
        <translation>Version %1 could not be installed (the updater did not finish twice), so it was skipped; the app keeps the version it runs. Call %2 if you need help.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="95"/>
        <source>Chưa cài bản %1: tệp ghi phiên bản đang dùng (current) của bản cài này bị sửa hoặc hỏng, nên không đổi gì; phần mềm vẫn dùng bản đang chạy. Gọi %2 để kỹ thuật viên kiểm tra.</source>
        <translation>Version %1 was not installed: the file recording the version in use (current) of this installation was altered or damaged, so nothing was changed; the software keeps using the running version. Call %2 to have a technician check it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="100"/>
        <source>Chưa cài được bản %1: không sao lưu được dữ liệu trước khi cài (ổ đĩa đầy, hoặc tệp dữ liệu hỏng), nên chưa đổi gì. Phần mềm sẽ thử lại sau 12 giờ; hãy giải phóng ổ đĩa, hoặc gọi %2 nếu lỗi lặp lại.</source>
        <translation>Version %1 was not installed: the data could not be backed up before installing (a full disk, or a damaged data file), so nothing was changed. The app will try again in 12 hours; free some disk space, or call %2 if it happens again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="115"/>
        <source>bộ cài báo lỗi</source>
        <translation>the installer reported an error</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="116"/>
        <source>bản mới tắt ngay khi mở</source>
        <translation>the new version closed as soon as it started</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="117"/>
        <source>bản mới không mở được trong thời gian chờ</source>
        <translation>the new version did not open in time</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/app_panel.py" line="105"/>
        <source>Chưa cài được bản %1: phần mềm chưa đóng hẳn; sẽ thử lại lần sau.</source>
        <translation>Version %1 is not installed yet: the app had not fully closed; it will try again next time.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="128"/>
        <source>Bản phần mềm mới không đúng loại cho máy này.</source>
        <translation>The new app version is not the right kind for this PC.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="129"/>
        <source>Gói phần mềm mới có tệp không an toàn: đã từ chối, không cài.</source>
        <translation>The new app package contains unsafe files: refused, nothing installed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="131"/>
        <source>Gói phần mềm mới thiếu chương trình: đã từ chối, không cài.</source>
        <translation>The new app package has no program in it: refused, nothing installed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="133"/>
        <source>Không ghi được bản phần mềm mới ra đĩa (đầy hoặc không có quyền).</source>
        <translation>Could not write the new app version to disk (full or no permission).</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <location filename="../../app/ui/application.py" line="254"/>
        <source>Đang chuẩn bị cập nhật phần mềm…</source>
        <translation>Preparing the app update…</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="323"/>
        <source>Thiết lập lại cửa hàng cần chế độ kỹ thuật viên. Hãy mở khóa chế độ kỹ thuật viên, rồi chọn lại Tệp → Thiết lập lại…</source>
        <translation>Setting the shop up again needs technician mode. Unlock technician mode, then choose File → Set up again… once more.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="332"/>
        <source>Chưa thiết lập xong: chọn Tệp → Thiết lập lại… để tiếp tục.</source>
        <translation>Setup is not finished: choose File → Set up again… to continue.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="391"/>
        <source>Không tìm thấy bản dịch cho ngôn ngữ này.</source>
        <translation>No translation was found for this language.</translation>
    </message>
</context>
<context>
    <name>AuditTab</name>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="51"/>
        <source>Lúc</source>
        <translation>When</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="51"/>
        <source>Kỹ thuật viên</source>
        <translation>Technician</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="51"/>
        <source>Thao tác</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="52"/>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="54"/>
        <source>Xuất CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="60"/>
        <source>Gắn vào yêu cầu</source>
        <translation>Attach to request</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="100"/>
        <source>Xuất nhật ký kỹ thuật viên</source>
        <translation>Export the technician log</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/technician/audit_tab.py" line="108"/>
        <source>Đã xuất %1 dòng.</source>
        <translation>
            <numerusform>Exported %1 row.</numerusform>
            <numerusform>Exported %1 rows.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="126"/>
        <source>Đã gắn nhật ký vào yêu cầu.</source>
        <translation>The log was attached to the request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/audit_tab.py" line="136"/>
        <source>Không thực hiện được: %1</source>
        <translation>Could not do it: %1</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../app/ui/widgets/banner.py" line="22"/>
        <source>Đã hiểu</source>
        <translation>Got it</translation>
    </message>
</context>
<context>
    <name>BundlePreviewDialog</name>
    <message>
        <location filename="../../app/ui/support/bundle_preview.py" line="19"/>
        <source>Thông tin chẩn đoán sẽ gửi</source>
        <translation>Diagnostics to be sent</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/bundle_preview.py" line="38"/>
        <source>Gửi các phần đã chọn</source>
        <translation>Send the parts ticked</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="145"/>
        <source>Nhật ký ứng dụng</source>
        <translation>App log</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="146"/>
        <source>Nhật ký phần mềm bán hàng</source>
        <translation>Point-of-sale software log</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="147"/>
        <source>Cấu hình (đã che mật khẩu)</source>
        <translation>Settings (passwords hidden)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="148"/>
        <source>Thông tin máy tính</source>
        <translation>Computer information</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="149"/>
        <source>Thiết bị kết nối</source>
        <translation>Connected devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="150"/>
        <source>Báo cáo kiểm tra hệ thống</source>
        <translation>System check report</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="160"/>
        <source>(%1 chỗ đã che)</source>
        <comment>one</comment>
        <translation>(%1 item hidden)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="161"/>
        <source>(%1 chỗ đã che)</source>
        <translation>(%1 items hidden)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/bundle_preview.py" line="35"/>
        <source>Đây đúng là nội dung sẽ gửi cho kỹ thuật viên. Bỏ chọn phần nào bạn không muốn gửi. Số CCCD, số điện thoại khác, email và mật khẩu đã được che.</source>
        <translation>This is exactly what will be sent to the technician. Untick any part you do not want to send. Citizen ID numbers, other phone numbers, e-mail addresses and passwords are hidden.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/bundle_preview.py" line="39"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>CheckPage</name>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="53"/>
        <source>Bước 4/4 · Kiểm tra lần đầu</source>
        <translation>Step 4/4 · First check</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="54"/>
        <source>Ứng dụng lưu thiết lập rồi kiểm tra toàn bộ hệ thống bán vàng.</source>
        <translation>The app saves the setup, then checks the whole gold-trading system.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="59"/>
        <source>Dừng kiểm tra</source>
        <translation>Stop checking</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="60"/>
        <source>Thử lại</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="76"/>
        <source>Đang lưu thiết lập…</source>
        <translation>Saving the setup…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="79"/>
        <source>Lưu thiết lập</source>
        <translation>Save the setup</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="85"/>
        <source>Đã lưu thiết lập vào %1</source>
        <translation>Setup saved to %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="87"/>
        <source>Tệp cũ được giữ ở %1</source>
        <translation>The previous file is kept as %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="94"/>
        <source>Chưa lưu được thiết lập: %1. Không có gì bị thay đổi; kiểm tra ổ đĩa còn trống và quyền ghi, rồi bấm Thử lại.</source>
        <translation>The setup could not be saved: %1. Nothing was changed; check the free disk space and write permission, then press Try again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="110"/>
        <source>Kiểm tra lần đầu</source>
        <translation>First check</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="123"/>
        <source>Đã dừng kiểm tra. Có thể chạy lại ở trang Kiểm tra hệ thống.</source>
        <translation>Checking stopped. You can run it again on the System checks page.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="128"/>
        <source>Không chạy được kiểm tra: %1</source>
        <translation>The checks could not run: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="138"/>
        <source>Kết quả: %1</source>
        <translation>Result: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="140"/>
        <source>Cách khắc phục</source>
        <translation>How to fix</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/check_page.py" line="140"/>
        <source>Mọi mục kiểm tra đều ổn.</source>
        <translation>Every check is OK.</translation>
    </message>
</context>
<context>
    <name>ChecksTab</name>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="28"/>
        <source>Chạy toàn bộ kiểm tra</source>
        <translation>Run all checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="30"/>
        <source>Bấm “Chạy toàn bộ kiểm tra” để xem kết quả, thời gian và dữ liệu (JSON) của từng kiểm tra.</source>
        <translation>Press “Run all checks” to see each check’s result, time and data (JSON).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="35"/>
        <source>Kiểm tra</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="35"/>
        <source>Trạng thái</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="35"/>
        <source>Thời gian (ms)</source>
        <translation>Time (ms)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="54"/>
        <source>Đang chạy kiểm tra chi tiết…</source>
        <translation>Running detailed checks…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/technician/checks_tab.py" line="70"/>
        <source>Kết luận: %1 – %2 kiểm tra</source>
        <translation>
            <numerusform>Verdict: %1 – %2 check</numerusform>
            <numerusform>Verdict: %1 – %2 checks</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/checks_tab.py" line="84"/>
        <source>Không chạy được kiểm tra: %1</source>
        <translation>Could not run the checks: %1</translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="43"/>
        <source>Cho phép hỗ trợ từ xa?</source>
        <translation>Allow remote support?</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="46"/>
        <source>Một kỹ thuật viên muốn điều khiển máy này từ xa. Chỉ đồng ý nếu cửa hàng đã gọi hoặc được nhà cung cấp hẹn trước.</source>
        <translation>A technician wants to control this PC remotely. Only agree if the shop called for help or the vendor arranged it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="50"/>
        <source>Kỹ thuật viên:</source>
        <translation>Technician:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="51"/>
        <source>Yêu cầu hỗ trợ:</source>
        <translation>Support request:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="54"/>
        <source>Lý do:</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="58"/>
        <source>Phần mềm:</source>
        <translation>Tool:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="60"/>
        <source>Tên người đồng ý (thu ngân hoặc quản lý)</source>
        <translation>Name of the person deciding (cashier or manager)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="61"/>
        <source>Người quyết định:</source>
        <translation>Decided by:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="66"/>
        <source>Đồng ý</source>
        <translation>Agree</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="67"/>
        <source>Từ chối</source>
        <translation>Refuse</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="85"/>
        <source>Tự từ chối sau %1</source>
        <translation>Refused automatically in %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/consent_dialog.py" line="90"/>
        <source>Nhân viên cửa hàng</source>
        <translation>Shop staff</translation>
    </message>
</context>
<context>
    <name>ConversationState</name>
    <message>
        <location filename="../../app/ui/support/conversation_state.py" line="263"/>
        <source>Đang tải tệp từ nhà cung cấp…</source>
        <translation>Downloading the file from the vendor…</translation>
    </message>
</context>
<context>
    <name>CoverageTimeline</name>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="105"/>
        <source>Chưa có hợp đồng</source>
        <translation>No contract yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="118"/>
        <source>Bảo hành</source>
        <translation>Warranty</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="122"/>
        <source>Bảo trì</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="124"/>
        <source>Không được hỗ trợ</source>
        <translation>Not covered</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="139"/>
        <source>Hôm nay %1</source>
        <translation>Today %1</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="29"/>
        <source>Ứng dụng gặp lỗi</source>
        <translation>The application ran into an error</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="31"/>
        <source>Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu không bị mất. Hãy sao chép báo cáo bên dưới gửi cho bộ phận hỗ trợ, hoặc gọi đường dây nóng %1.</source>
        <translation>An unexpected error occurred. Nothing already saved has been lost. Copy the report below and send it to support, or call the hotline %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="40"/>
        <source>Sao chép báo cáo</source>
        <translation>Copy report</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="42"/>
        <source>Mở thư mục báo cáo</source>
        <translation>Open report folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="45"/>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="61"/>
        <source>Đã sao chép</source>
        <translation>Copied</translation>
    </message>
</context>
<context>
    <name>DeviceTexts</name>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="14"/>
        <source>Mã tem nữ trang (Code 128)</source>
        <translation>Jewellery tag code (Code 128)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="15"/>
        <source>Mã vạch sản phẩm (EAN-13)</source>
        <translation>Product barcode (EAN-13)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="16"/>
        <source>Mã bẫy bộ gõ tiếng Việt (Code 128)</source>
        <translation>Vietnamese-keyboard trap code (Code 128)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="17"/>
        <source>Mã QR</source>
        <translation>QR code</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="18"/>
        <source>Mã bẫy bộ gõ kiểu VNI (Code 128)</source>
        <translation>VNI-keyboard trap code (Code 128)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="24"/>
        <source>Tem đuôi chuột 75 × 10 mm</source>
        <translation>Rat-tail tag 75 × 10 mm</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="25"/>
        <source>Tem 40 × 30 mm</source>
        <translation>Label 40 × 30 mm</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="30"/>
        <source>Bộ gõ tiếng Việt (Unikey/EVKey) đang bật kiểu Telex</source>
        <translation>The Vietnamese input method (Unikey/EVKey) is on, in Telex mode</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="31"/>
        <source>Bộ gõ tiếng Việt (Unikey/EVKey) đang bật kiểu VNI</source>
        <translation>The Vietnamese input method (Unikey/EVKey) is on, in VNI mode</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="32"/>
        <source>Phím Caps Lock đang bật</source>
        <translation>Caps Lock is on</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="33"/>
        <source>Máy quét không gửi phím Enter sau mã</source>
        <translation>The scanner sends no Enter after the code</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="34"/>
        <source>Windows đang dùng bàn phím không phải tiếng Anh (Mỹ)</source>
        <translation>Windows is using a keyboard layout other than English (US)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="35"/>
        <source>Máy quét thêm ký tự vào đầu hoặc cuối mã</source>
        <translation>The scanner adds characters before or after the code</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="36"/>
        <source>Mất ký tự: máy quét gửi nhanh hơn máy tính nhận</source>
        <translation>Characters dropped: the scanner types faster than the PC accepts</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="37"/>
        <source>Sai số kiểm tra của mã vạch</source>
        <translation>Wrong barcode check digit</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="38"/>
        <source>Máy quét chưa bật loại mã vạch này</source>
        <translation>This barcode type is not enabled on the scanner</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="43"/>
        <source>Nhận được ký tự lạ: có thể sai tốc độ truyền (baud). Thử “Tự dò tốc độ”.</source>
        <translation>Strange characters received: probably the wrong baud rate. Try “Detect speed”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="45"/>
        <source>Máy quét gửi mã nhưng không gửi ký tự kết thúc (Enter): phần mềm bán hàng sẽ không nhận mã. Quét mã cài đặt “thêm Enter” trong sách hướng dẫn máy quét.</source>
        <translation>The scanner sends the code but no terminator (Enter): the sales software will not take it. Scan the “add Enter” setup code in the scanner&apos;s manual.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="48"/>
        <source>Dữ liệu quá dài mà không có ký tự kết thúc: kiểm tra cài đặt ký tự kết thúc.</source>
        <translation>Data too long without a terminator: check the terminator setting.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="54"/>
        <source>Không tìm thấy cổng này. Kiểm tra dây cắm rồi bấm “Làm mới”.</source>
        <translation>This port was not found. Check the cable, then press “Refresh”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="56"/>
        <source>Cổng đang được chương trình khác dùng (thường là phần mềm bán hàng). Đóng chương trình đó rồi thử lại.</source>
        <translation>The port is in use by another program (usually the sales software). Close it and try again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="59"/>
        <source>Máy quét vừa bị ngắt kết nối (rút dây hoặc mất nguồn). Cắm lại rồi bấm “Kết nối”.</source>
        <translation>The scanner was just disconnected (cable pulled or no power). Plug it back in and press “Connect”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="62"/>
        <source>Thông số cổng không hợp lệ.</source>
        <translation>The port settings are not valid.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="67"/>
        <source>Mã quá dài so với đầu tem ở độ phân giải này: tem in ra sẽ không quét được. Dùng mã ngắn hơn, mẫu tem lớn hơn hoặc máy in 300 dpi.</source>
        <translation>The code is too long for the tag&apos;s head at this resolution: the printed tag would not scan. Use a shorter code, a larger template or a 300 dpi printer.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="70"/>
        <source>Vạch mã quá mảnh so với độ phân giải máy in: máy quét sẽ khó đọc.</source>
        <translation>The bars are too thin for the printer&apos;s resolution: scanners would struggle to read them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="72"/>
        <source>Mã vạch trên tem không đọc lại được: không in.</source>
        <translation>The tag&apos;s barcode does not decode: not printed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="73"/>
        <source>Mã vạch đọc lại ra nội dung khác: không in.</source>
        <translation>The tag&apos;s barcode decodes to something else: not printed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="74"/>
        <source>Một dòng chữ dài quá chỗ trên tem (ra ngoài đầu in hoặc lấn vào mã vạch): không in. Rút ngắn tên hàng hoặc chọn mẫu tem rộng hơn.</source>
        <translation>A line of text is too long for the tag (past the print head or into the barcode): not printed. Shorten the item&apos;s name or choose a wider template.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="82"/>
        <source>Mã dài: in mã 2D DataMatrix. Máy quét của quầy cần đọc được mã 2D (loại quét hình ảnh).</source>
        <translation>Long code: printed as a 2D DataMatrix. The counter&apos;s scanner must read 2D codes (an imaging scanner).</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="84"/>
        <source>Mã dài: in mã 2D QR. Máy quét của quầy cần đọc được mã 2D (loại quét hình ảnh).</source>
        <translation>Long code: printed as a 2D QR code. The counter&apos;s scanner must read 2D codes (an imaging scanner).</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="90"/>
        <source>Không kết nối được máy in: kiểm tra nguồn, dây mạng/cáp và địa chỉ IP.</source>
        <translation>Cannot reach the printer: check its power, network cable and IP address.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="92"/>
        <source>Máy in không trả lời kịp: có thể đang bận, kẹt giấy hoặc sai ngôn ngữ máy in.</source>
        <translation>The printer did not answer in time: it may be busy, jammed, or set to another printer language.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="94"/>
        <source>Máy in từ chối kết nối: sai cổng (thường là 9100) hoặc máy in đang bận.</source>
        <translation>The printer refused the connection: wrong port (usually 9100) or the printer is busy.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="96"/>
        <source>Không tìm thấy máy in, cổng hoặc hàng đợi này.</source>
        <translation>This printer, port or queue was not found.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="97"/>
        <source>Địa chỉ máy in không đúng dạng (ví dụ tcp://192.168.1.50:9100, serial://COM3?baud=9600).</source>
        <translation>The printer address is not in a known form (e.g. tcp://192.168.1.50:9100, serial://COM3?baud=9600).</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="103"/>
        <source>hết giấy</source>
        <translation>paper out</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="104"/>
        <source>kẹt giấy</source>
        <translation>paper jam</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="105"/>
        <source>nắp đầu in đang mở</source>
        <translation>print head open</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="106"/>
        <source>hết mực ruy băng</source>
        <translation>ribbon out</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="107"/>
        <source>đang tạm dừng</source>
        <translation>paused</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="108"/>
        <source>bộ nhớ đệm đầy</source>
        <translation>buffer full</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="109"/>
        <source>lỗi khác</source>
        <translation>other fault</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <location filename="../../app/ui/devices/page.py" line="18"/>
        <source>Thiết bị mã vạch</source>
        <translation>Barcode devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/page.py" line="22"/>
        <source>Máy quét mã vạch</source>
        <translation>Barcode scanners</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/page.py" line="24"/>
        <source>Máy in tem</source>
        <translation>Label printers</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="40"/>
        <source>Bước 3/4 · Máy quét mã vạch và máy in tem</source>
        <translation>Step 3/4 · Barcode scanners and label printers</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="41"/>
        <source>Đánh dấu các thiết bị cửa hàng dùng. Có thể bỏ qua bước này và thêm thiết bị sau ở trang Thiết bị.</source>
        <translation>Tick the devices the shop uses. You can skip this step and add devices later on the Devices page.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="45"/>
        <source>Cổng nối tiếp (máy quét)</source>
        <translation>Serial ports (scanners)</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="45"/>
        <source>Máy in</source>
        <translation>Printers</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="48"/>
        <source>Đang tìm thiết bị…</source>
        <translation>Looking for devices…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="50"/>
        <source>Thử máy quét và máy in…</source>
        <translation>Test scanners and printers…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="64"/>
        <source>Tìm thiết bị</source>
        <translation>Find devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="82"/>
        <source>Không thấy cổng nối tiếp hay máy in nào. Máy quét cắm USB kiểu bàn phím không cần chọn ở đây; máy in mạng thêm sau ở trang Thiết bị.</source>
        <translation>No serial port or printer was found. A USB scanner that types like a keyboard needs no choice here; add a network printer later on the Devices page.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="85"/>
        <source>Máy quét cắm USB kiểu bàn phím không cần chọn; máy in mạng (cổng 9100) thêm sau ở trang Thiết bị.</source>
        <translation>A USB scanner that types like a keyboard needs no choice; add a network printer (port 9100) later on the Devices page.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/devices_page.py" line="92"/>
        <source>Thử thiết bị</source>
        <translation>Test devices</translation>
    </message>
</context>
<context>
    <name>EnrolPage</name>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="64"/>
        <source>Bước 2/4 · Kích hoạt với nhà cung cấp</source>
        <translation>Step 2/4 · Enrol with the vendor</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="65"/>
        <source>Nhập mã kích hoạt 10 ký tự mà nhà cung cấp đã gửi. Ứng dụng nhận về mã kết nối của cửa hàng, thông tin cửa hàng và hợp đồng bảo hành.</source>
        <translation>Enter the 10-character enrolment code the vendor sent. The app receives the shop token, the shop&apos;s details and its warranty contract.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="76"/>
        <location filename="../../app/ui/setup/enrol_page.py" line="165"/>
        <source>Kích hoạt</source>
        <translation>Enrol</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="82"/>
        <source>Cửa hàng</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="85"/>
        <source>Dùng mã khác</source>
        <translation>Use another code</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="92"/>
        <source>Cửa hàng không có Internet: nhập mã cửa hàng và tệp hợp đồng</source>
        <translation>Shop without Internet: enter the shop token and the contract file</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="99"/>
        <source>Nhập tệp hợp đồng…</source>
        <translation>Import the contract file…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="106"/>
        <source>Mã kết nối cửa hàng</source>
        <translation>Shop token</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="107"/>
        <source>Hợp đồng</source>
        <translation>Contract</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="109"/>
        <source>Địa chỉ</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="110"/>
        <source>Điện thoại</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="115"/>
        <source>Mã kích hoạt</source>
        <translation>Enrolment code</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="157"/>
        <source>Đã đọc mã là %1 (bộ gõ tiếng Việt đang bật). Đang kích hoạt với máy chủ của nhà cung cấp…</source>
        <translation>Read the code as %1 (the Vietnamese input method is on). Activating with the vendor’s server…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="161"/>
        <source>Đang kích hoạt với máy chủ của nhà cung cấp…</source>
        <translation>Enrolling with the vendor&apos;s server…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="178"/>
        <source>Đã kích hoạt. Mã kết nối của cửa hàng đã được lưu an toàn.</source>
        <translation>Enrolled. The shop token is stored safely.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="186"/>
        <source>Kích hoạt không được: %1</source>
        <translation>Enrolment failed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="204"/>
        <source>Chọn tệp hợp đồng</source>
        <translation>Choose the contract file</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="205"/>
        <source>Hợp đồng (*.json);;Mọi tệp (*)</source>
        <translation>Contracts (*.json);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="221"/>
        <source>%1 (%2), bảo hành đến %3</source>
        <translation>%1 (%2), warranty until %3</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="233"/>
        <source>lỗi không mong muốn; gọi %1.</source>
        <translation>an unexpected error; call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="234"/>
        <source>Tệp hợp đồng không dùng được: %1</source>
        <translation>The contract file cannot be used: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="257"/>
        <source>Hợp đồng %1, bảo hành đến %2</source>
        <translation>Contract %1, warranty until %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/enrol_page.py" line="260"/>
        <source>Nhà cung cấp chưa cấp hợp đồng; ứng dụng sẽ tự lấy khi có.</source>
        <translation>The vendor has not issued a contract yet; the app fetches it once there is one.</translation>
    </message>
</context>
<context>
    <name>Failures</name>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="18"/>
        <source>cơ sở dữ liệu của ứng dụng đang bị một chương trình khác giữ; hãy đợi một lát rồi thử lại</source>
        <translation>the app&apos;s database is held by another program; wait a moment, then try again</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="20"/>
        <source>dữ liệu do một phiên bản mới hơn của ứng dụng tạo ra; hãy cài bản mới nhất</source>
        <translation>the data was written by a newer version of the app; install the latest version</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="22"/>
        <source>nâng cấp dữ liệu không thành công, dữ liệu cũ đã được khôi phục; hãy mở lại ứng dụng</source>
        <translation>upgrading the data failed and the old data was put back; open the app again</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="24"/>
        <source>không mở được cơ sở dữ liệu của ứng dụng; hãy kiểm tra quyền truy cập và ổ đĩa</source>
        <translation>the app&apos;s database cannot be opened; check permissions and the disk</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="26"/>
        <source>ổ đĩa đã đầy; hãy xóa bớt tệp không cần (thùng rác, tệp tải về) rồi thử lại</source>
        <translation>the disk is full; delete files you do not need (the Recycle Bin, downloads), then try again</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="28"/>
        <source>cơ sở dữ liệu của ứng dụng chỉ cho phép đọc (ổ đĩa chỉ đọc hoặc không có quyền ghi)</source>
        <translation>the app&apos;s database is read-only (a read-only disk, or no permission to write)</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="30"/>
        <source>ổ đĩa báo lỗi khi đọc hoặc ghi; hãy nhờ kỹ thuật viên kiểm tra ổ đĩa</source>
        <translation>the disk failed a read or a write; have a technician check the disk</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="32"/>
        <source>cơ sở dữ liệu của ứng dụng bị hỏng; hãy mở lại ứng dụng (tệp hỏng được giữ lại cho kỹ thuật viên, một tệp mới được tạo)</source>
        <translation>the app&apos;s database is damaged; open the app again (the damaged file is kept for a technician and a new one is made)</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="39"/>
        <source>ổ đĩa đã đầy</source>
        <translation>the disk is full</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="40"/>
        <source>ổ đĩa chỉ cho phép đọc</source>
        <translation>the disk is read-only</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="41"/>
        <location filename="../../app/ui/failure_texts.py" line="42"/>
        <source>không có quyền</source>
        <translation>permission denied</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="43"/>
        <source>không tồn tại</source>
        <translation>does not exist</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="44"/>
        <source>một phần của đường dẫn không phải thư mục</source>
        <translation>part of the path is not a folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="45"/>
        <source>đó là một thư mục, không phải tệp</source>
        <translation>it is a folder, not a file</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="46"/>
        <source>đã có một tệp trùng tên</source>
        <translation>a file of that name is in the way</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="47"/>
        <source>ổ đĩa báo lỗi (USB bị rút ra, hoặc ổ đĩa hỏng)</source>
        <translation>the disk reported an error (a USB stick pulled out, or a failing disk)</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="48"/>
        <source>tên tệp có ký tự không được phép (như : ? * “ &lt; &gt; |)</source>
        <translation>the file name has a character that is not allowed (such as : ? * “ &lt; &gt; |)</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="49"/>
        <source>tên tệp hoặc đường dẫn quá dài</source>
        <translation>the file name or path is too long</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="50"/>
        <source>tệp đang được chương trình khác dùng</source>
        <translation>the file is in use by another program</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="58"/>
        <source>lỗi hệ thống số %1</source>
        <translation>system error number %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="62"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/failure_texts.py" line="72"/>
        <source>lỗi ngoài dự kiến (%1), đã ghi vào nhật ký; hãy gọi kỹ thuật viên</source>
        <translation>unexpected error (%1), written to the log; call a technician</translation>
    </message>
</context>
<context>
    <name>FleetTexts</name>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="15"/>
        <source>Hợp đồng của cửa hàng không cho gửi tình trạng máy: cứ khoảng %1 phút, ứng dụng chỉ gửi phiên bản ứng dụng để nhà cung cấp biết máy còn hoạt động.</source>
        <translation>The shop&apos;s contract does not allow sending the PC&apos;s health: about every %1 minutes the app sends only its version, so the vendor knows the PC is running.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="19"/>
        <source>Cài đặt của máy này đã tắt việc gửi tình trạng máy ([fleet] telemetry = false): cứ khoảng %1 phút, ứng dụng chỉ gửi phiên bản ứng dụng để nhà cung cấp biết máy còn hoạt động.</source>
        <translation>This PC&apos;s settings turn off sending its health ([fleet] telemetry = false): about every %1 minutes the app sends only its version, so the vendor knows the PC is running.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="22"/>
        <source>Cứ khoảng %1 phút, và ngay khi tình trạng máy thay đổi, ứng dụng gửi cho nhà cung cấp một bản tóm tắt: kết quả từng mục kiểm tra (mã, trạng thái, các con số đo), phiên bản ứng dụng và phần mềm PMV, các gói quy định đã cài, tuổi của bản sao lưu gần nhất và số mục đang chờ gửi. Nhờ vậy nhà cung cấp thấy sự cố sớm và chủ động hỗ trợ.</source>
        <translation>About every %1 minutes, and as soon as the PC&apos;s health changes, the app sends the vendor a summary: each check&apos;s result (code, status, measured figures), the app and PMV versions, the installed regulation packs, the age of the latest backup and how many items wait to be sent. The vendor can then spot problems early and help before being asked.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="30"/>
        <source>Không gửi nội dung nhật ký, hóa đơn, giá vàng hay thông tin khách hàng.</source>
        <translation>No log contents, invoices, gold prices or customer details are sent.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="36"/>
        <source>Lần gần nhất nhà cung cấp nhận được: %1.</source>
        <translation>Last received by the vendor: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="38"/>
        <source>Nhà cung cấp chưa nhận được báo cáo nào từ máy này.</source>
        <translation>The vendor has not received any report from this PC yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="41"/>
        <source>%1 mục đang chờ gửi, sẽ tự gửi khi có mạng.</source>
        <comment>one</comment>
        <translation>%1 item is waiting; it is sent automatically when the network is back.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="42"/>
        <source>%1 mục đang chờ gửi, sẽ tự gửi khi có mạng.</source>
        <translation>%1 items are waiting; they are sent automatically when the network is back.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="48"/>
        <source>Không đọc được thông tin gửi đi: %1</source>
        <translation>Could not read what is sent: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="52"/>
        <source>Đây đúng là nội dung lần gửi tới, theo từng yêu cầu gửi lên máy chủ của nhà cung cấp. Mã báo cáo (id) và thời điểm (made_at) đổi ở mỗi lần gửi.</source>
        <translation>This is exactly what the next delivery sends, request by request, to the vendor&apos;s server. The report id and time (made_at) change with each report.</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/texts.py" line="57"/>
        <source>(không có gì chờ gửi)</source>
        <translation>(nothing waiting to be sent)</translation>
    </message>
</context>
<context>
    <name>HealthCheck</name>
    <message>
        <location filename="../../app/health/checks/backups.py" line="56"/>
        <source>Không thấy thư mục sao lưu của PMV.
1. Kiểm tra ổ sao lưu (ổ USB, ổ cứng ngoài, ổ mạng) đã cắm và mở được trong File Explorer.
2. Trong PMV, mở phần cài đặt sao lưu và xem thư mục sao lưu có đúng không.
3. Nếu không tìm thấy, gọi %1 để kỹ thuật viên cài lại sao lưu tự động.</source>
        <translation>The PMV backup folder cannot be found.
1. Check that the backup drive (USB drive, external hard drive, network drive) is plugged in and opens in File Explorer.
2. In PMV, open the backup settings and check that the backup folder is correct.
3. If you cannot find it, call %1 so a technician can set up automatic backups again.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="63"/>
        <source>Chưa có bản sao lưu nào của dữ liệu PMV; nếu máy hỏng sẽ mất toàn bộ sổ sách.
1. Trong PMV, mở phần sao lưu và bấm “Sao lưu ngay”.
2. Bật sao lưu tự động hằng đêm.
3. Chạy lại kiểm tra; nếu vẫn không có bản sao lưu, gọi %1.</source>
        <translation>There is no backup of the PMV data yet; if the computer breaks down, all the records will be lost.
1. In PMV, open the backup section and press “Sao lưu ngay” (Back up now).
2. Turn on the automatic nightly backup.
3. Run the check again; if there is still no backup, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="70"/>
        <source>Bản sao lưu mới nhất đã cũ: sao lưu tự động hằng đêm không chạy.
1. Để máy thu ngân và PMV bật đến sau giờ sao lưu tự động (thường 22:00).
2. Kiểm tra ổ sao lưu đang cắm và còn chỗ trống.
3. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm “Sao lưu ngay”.
4. Nếu PMV báo lỗi khi sao lưu, gọi %1.</source>
        <translation>The newest backup is old: the automatic nightly backup is not running.
1. Leave the cashier&apos;s computer and PMV on until after the automatic backup time (usually 22:00).
2. Check that the backup drive is plugged in and has free space.
3. Back up by hand now: in PMV, open the backup section and press “Sao lưu ngay” (Back up now).
4. If PMV shows an error while backing up, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="78"/>
        <source>Bản sao lưu mới nhất không khôi phục được (tệp hỏng hoặc không đầy đủ).
1. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm “Sao lưu ngay”.
2. Chạy lại kiểm tra.
3. Nếu bản mới cũng hỏng, ổ sao lưu có thể bị lỗi: đổi sang ổ khác và gọi %1.</source>
        <translation>The newest backup cannot be restored (the file is damaged or incomplete).
1. Back up by hand now: in PMV, open the backup section and press “Sao lưu ngay” (Back up now).
2. Run the check again.
3. If the new backup is damaged too, the backup drive may be faulty: switch to another drive and call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="85"/>
        <source>Tệp sao lưu có nội dung bất thường (đường dẫn lạ hoặc dung lượng giải nén quá lớn) nên không được mở.
1. Không giải nén hay mở tệp này.
2. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm “Sao lưu ngay”.
3. Gọi %1 để kỹ thuật viên kiểm tra máy (có thể có phần mềm lạ ghi vào thư mục sao lưu).</source>
        <translation>The backup file has unusual contents (strange paths or too large when unpacked), so it was not opened.
1. Do not unzip or open this file.
2. Back up by hand now: in PMV, open the backup section and press “Sao lưu ngay” (Back up now).
3. Call %1 so a technician can check the computer (unknown software may be writing into the backup folder).</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="92"/>
        <source>Máy không cho phần mềm đọc thư mục sao lưu, nên không biết sao lưu còn chạy hay không.
1. Mở thư mục sao lưu trong File Explorer bằng tài khoản Windows của máy thu ngân; nếu Windows hỏi quyền, chọn “Continue”.
2. Nếu thư mục nằm trên ổ mạng, kiểm tra máy vẫn đăng nhập được vào ổ đó.
3. Chạy lại kiểm tra; nếu vẫn không đọc được, gọi %1.</source>
        <translation>The computer does not let the software read the backup folder, so it cannot tell whether backups still run.
1. Open the backup folder in File Explorer with the till&apos;s Windows account; if Windows asks for permission, choose “Continue”.
2. If the folder is on a network drive, check the computer can still sign in to that drive.
3. Run the checks again; if the folder still cannot be read, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="100"/>
        <source>Bản sao lưu thiếu nhiều dữ liệu so với dữ liệu đang dùng; khôi phục từ bản này sẽ mất dữ liệu.
1. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm “Sao lưu ngay”.
2. Chạy lại kiểm tra.
3. Nếu vẫn lệch, gọi %1: có thể PMV đang sao lưu nhầm tệp dữ liệu.</source>
        <translation>The backup is missing a lot of the data in use; restoring from it would lose data.
1. Back up by hand now: in PMV, open the backup section and press “Sao lưu ngay” (Back up now).
2. Run the check again.
3. If the counts still differ, call %1: PMV may be backing up the wrong data file.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="107"/>
        <source>Dữ liệu đang dùng có ít dòng hơn bản sao lưu đêm qua: có thể đã bị xóa hoặc mất dữ liệu.
1. Không xóa, không ghi đè bản sao lưu và không tự khôi phục.
2. Hỏi lại nhân viên có ai vừa xóa hàng, hóa đơn hay khách hàng không.
3. Gọi ngay %1 để kỹ thuật viên đối chiếu và khôi phục phần bị mất.</source>
        <translation>The data in use has fewer rows than last night&apos;s backup: data may have been deleted or lost.
1. Do not delete or overwrite the backup, and do not restore it yourself.
2. Ask the staff whether anyone has just deleted items, invoices or customers.
3. Call %1 right away so a technician can compare the two and restore what was lost.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="149"/>
        <source>chưa khai báo thư mục sao lưu (pos.backups_dir)</source>
        <translation>the backup folder is not set (pos.backups_dir)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="217"/>
        <source>Không tính %1 tệp không mang tên bản sao lưu của PMV (%2): %3</source>
        <translation>Not counted, as not named like PMV backups (%2): %3 (%1 in all)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="232"/>
        <source>Không thấy thư mục sao lưu: %1</source>
        <translation>Backup folder not found: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="237"/>
        <source>Không đọc được thư mục sao lưu %1: tài khoản Windows đang dùng không có quyền đọc</source>
        <translation>Cannot read the backup folder %1: the Windows account in use has no permission to read it</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="242"/>
        <source>Chưa có bản sao lưu nào trong %1</source>
        <translation>No backups in %1 yet</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="247"/>
        <source>Mọi bản sao lưu đều mang thời gian trong tương lai (mới nhất %1): đồng hồ máy có thể bị lùi</source>
        <translation>Every backup is dated in the future (newest %1): the computer clock may have been set back</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="258"/>
        <source>Bản sao lưu mới nhất cách đây %1 (%2)</source>
        <translation>Newest backup taken %1 ago (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="262"/>
        <source>%1 bản sao lưu; mới nhất: %2 (theo thời gian trong tên tệp)</source>
        <translation>Backups: %1; newest: %2 (by the time in its file name)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="265"/>
        <source>%1 bản sao lưu; mới nhất: %2 (theo thời gian sửa tệp)</source>
        <translation>Backups: %1; newest: %2 (by the file&apos;s modification time)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="305"/>
        <source>đường dẫn không an toàn trong tệp nén: %1</source>
        <translation>unsafe path in the archive: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="308"/>
        <source>tệp nén rỗng</source>
        <translation>empty archive</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="309"/>
        <source>không có tệp dữ liệu PMV trong tệp nén (%1)</source>
        <translation>no PMV data file in the archive (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="314"/>
        <source>%1 giải nén ra %2 byte, vượt giới hạn %3 byte</source>
        <translation>%1 unpacks to %2 bytes, over the limit of %3 bytes</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="327"/>
        <source>%1 giải nén vượt giới hạn %2 byte</source>
        <translation>%1 unpacks to more than the limit of %2 bytes</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="330"/>
        <location filename="../../app/health/checks/database.py" line="543"/>
        <source>đã hủy</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="350"/>
        <source>Bỏ qua: không đọc được thư mục sao lưu</source>
        <translation>Skipped: the backup folder cannot be read</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="353"/>
        <source>Bỏ qua: không có bản sao lưu để thử khôi phục</source>
        <translation>Skipped: there is no backup to test a restore with</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="357"/>
        <source>Bỏ qua: chỉ thử khôi phục được bản sao lưu dạng .zip, không phải %1</source>
        <translation>Skipped: only .zip backups can be test-restored, and %1 is not one</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="366"/>
        <source>Bỏ qua: ổ đĩa chứa thư mục tạm không đủ chỗ trống để thử khôi phục %1 (còn %2, cần %3)</source>
        <translation>Skipped: the drive holding the temp folder has too little free space to try restoring %1 (%2 free, %3 needed)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="369"/>
        <source>Thư mục tạm: %1. Dữ liệu trong bản sao lưu giải nén ra %2; sau khi giải nén phải còn trống ít nhất %3 để PMV vẫn ghi được dữ liệu.</source>
        <translation>Temp folder: %1. The data in the backup unpacks to %2; after unpacking at least %3 must stay free so that PMV can still save its data.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="373"/>
        <location filename="../../app/health/checks/backups.py" line="376"/>
        <source>Bản sao lưu %1 không khôi phục được: %2</source>
        <translation>Backup %1 cannot be restored: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="379"/>
        <source>Không thử khôi phục được bản sao lưu %1: tệp nén có mật khẩu</source>
        <translation>Could not try restoring backup %1: the archive has a password</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="387"/>
        <source>Bản sao lưu %1 không khôi phục được: tệp nén hỏng hoặc chép dở</source>
        <translation>Backup %1 cannot be restored: the archive is damaged or only partly copied</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="401"/>
        <source>Bản sao lưu %1 không khôi phục được: dữ liệu hỏng</source>
        <translation>Backup %1 cannot be restored: the data is damaged</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="408"/>
        <source>món hàng</source>
        <translation>items</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="409"/>
        <source>chứng từ</source>
        <translation>documents</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="410"/>
        <source>khách hàng</source>
        <translation>customers</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="414"/>
        <source>%1 món hàng</source>
        <translation>items: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="415"/>
        <source>%1 chứng từ</source>
        <translation>documents: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="416"/>
        <source>%1 khách hàng</source>
        <translation>customers: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="437"/>
        <source>%1: bản sao lưu %2, đang dùng %3 (cho phép lệch %4)</source>
        <translation>%1: %2 in the backup, %3 in use (difference allowed: %4)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="449"/>
        <source>Dữ liệu đang dùng ít hơn bản sao lưu %1: %2</source>
        <translation>The data in use has fewer rows than backup %1: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="453"/>
        <source>Bản sao lưu %1 thiếu dữ liệu: %2</source>
        <translation>Backup %1 is missing data: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/backups.py" line="455"/>
        <source>Bản sao lưu %1 khôi phục được: %2</source>
        <translation>Backup %1 can be restored (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="54"/>
        <source>Không tìm thấy tệp dữ liệu của phần mềm PMV.
1. Kiểm tra ổ đĩa hoặc máy chủ chứa dữ liệu PMV đã bật và đã kết nối (ổ mạng, ổ USB).
2. Mở phần mềm PMV: nếu PMV cũng báo không thấy dữ liệu, không tạo dữ liệu mới và không cài lại PMV.
3. Gọi %1 để kỹ thuật viên kiểm tra đường dẫn và khôi phục từ bản sao lưu gần nhất.</source>
        <translation>The PMV software&apos;s data file cannot be found.
1. Check that the drive or server holding the PMV data is switched on and connected (network drive, USB drive).
2. Open the PMV software: if PMV also says it cannot find its data, do not create new data and do not reinstall PMV.
3. Call %1 so a technician can check the path and restore from the latest backup.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="61"/>
        <source>Không mở được cơ sở dữ liệu PMV.
1. Đóng phần mềm PMV rồi mở lại; nếu máy vừa bị mất điện hay tắt đột ngột, khởi động lại máy.
2. Chạy lại kiểm tra.
3. Nếu vẫn lỗi, không chép đè hay xóa tệp dữ liệu; gọi %1.</source>
        <translation>Cannot open the PMV database.
1. Close the PMV software and open it again; if the computer has just lost power or was switched off suddenly, restart it.
2. Run the checks again.
3. If it still fails, do not overwrite or delete the data file; call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="68"/>
        <source>Phần mềm PMV đang bận ghi dữ liệu (thường là lúc PMV tự sao lưu, dọn dẹp dữ liệu hoặc nhập nhiều hàng một lúc) nên ứng dụng hỗ trợ tạm thời chưa đọc được; dữ liệu bán hàng không bị ảnh hưởng.
1. Không cần đóng PMV: cứ tiếp tục bán hàng như bình thường.
2. Chờ vài phút cho PMV làm xong rồi chạy lại kiểm tra.
3. Nếu sau 30 phút vẫn báo bận, hoặc PMV cũng không lưu được hóa đơn, gọi %1.</source>
        <translation>PMV is busy writing its data (usually while it backs itself up, tidies its data or imports many items at once), so the support assistant cannot read it for now; sales data is not affected.
1. There is no need to close PMV: keep selling as usual.
2. Wait a few minutes for PMV to finish, then run the checks again.
3. If it still says busy after 30 minutes, or PMV cannot save invoices either, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="76"/>
        <source>Ổ đĩa gần đầy nên chưa kiểm tra đầy đủ được dữ liệu PMV: bản chép tạm để kiểm tra sẽ chiếm chỗ PMV cần để lưu hóa đơn. Dữ liệu bán hàng không bị ảnh hưởng.
1. Dọn bớt ổ đĩa: làm trống Thùng rác, xóa tệp tải về và tệp tạm không dùng (không xóa thư mục PMV và các bản sao lưu).
2. Chạy lại kiểm tra khi ổ đĩa còn đủ chỗ như nêu ở dòng tóm tắt.
3. Nếu không biết xóa gì, gọi %1.</source>
        <translation>The disk is nearly full, so PMV&apos;s data could not be checked in full: the temporary copy for the check would take the room PMV needs to save invoices. Sales data is not affected.
1. Free some disk space: empty the Recycle Bin, delete downloads and temporary files you do not use (do not delete the PMV folder or its backups).
2. Run the checks again once the disk has the room the summary line gives.
3. If you are not sure what to delete, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="85"/>
        <source>Cơ sở dữ liệu PMV trả lời chậm; bán hàng và in hóa đơn sẽ bị chậm theo.
1. Đóng các chương trình không dùng trên máy thu ngân.
2. Nếu dữ liệu nằm trên máy chủ hoặc ổ mạng, kiểm tra dây mạng và bộ phát wifi.
3. Cuối ngày, khởi động lại máy thu ngân (và máy chủ nếu có).
4. Nếu vẫn chậm, gửi yêu cầu hỗ trợ để kỹ thuật viên tối ưu dữ liệu.</source>
        <translation>The PMV database is answering slowly; sales and invoice printing will slow down too.
1. Close programs you are not using on the cashier&apos;s computer.
2. If the data is on a server or a network drive, check the network cable and the Wi-Fi router.
3. At the end of the day, restart the cashier&apos;s computer (and the server, if there is one).
4. If it is still slow, send a support request so a technician can optimise the data.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="93"/>
        <source>Tệp dữ liệu PMV bị hỏng; tiếp tục ghi vào có thể làm mất thêm dữ liệu.
1. Không tắt máy đột ngột; nếu được, tạm ngừng lập hóa đơn trên PMV.
2. Không tự sửa, xóa hay chép đè tệp dữ liệu và các bản sao lưu.
3. Gọi ngay %1: kỹ thuật viên sẽ kiểm tra và khôi phục từ bản sao lưu gần nhất.
4. Trong lúc chờ, ghi tay các giao dịch để nhập lại sau.</source>
        <translation>The PMV data file is damaged; writing more to it may lose more data.
1. Do not switch the computer off suddenly; if you can, stop making invoices in PMV for now.
2. Do not repair, delete or overwrite the data file or the backups yourself.
3. Call %1 now: a technician will check it and restore from the latest backup.
4. Meanwhile, write transactions down by hand to enter them later.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="101"/>
        <source>Ứng dụng hỗ trợ không dùng được chuỗi kết nối tới dữ liệu PMV (mục pos.url trong cài đặt); phần mềm PMV và dữ liệu bán hàng không bị ảnh hưởng.
1. Tiếp tục bán hàng trên PMV như bình thường.
2. Gọi %1 để kỹ thuật viên sửa pos.url theo dạng đúng nêu ở dòng tóm tắt.
3. Sau khi sửa, chạy lại kiểm tra.</source>
        <translation>The support app cannot use the connection string to the PMV data (pos.url in the settings); the PMV software and the sales data are not affected.
1. Keep selling in PMV as usual.
2. Call %1 so a technician can correct pos.url to the form given in the summary line.
3. After the fix, run the checks again.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="109"/>
        <source>Chuỗi kết nối tới dữ liệu PMV dùng đăng nhập Windows; ứng dụng hỗ trợ cần một tài khoản SQL riêng, chỉ được đọc. PMV và dữ liệu bán hàng không bị ảnh hưởng.
1. Tiếp tục bán hàng trên PMV như bình thường.
2. Kỹ thuật viên: trên SQL Server bật chế độ đăng nhập “SQL Server and Windows Authentication” và tạo một tài khoản chỉ đọc (vai trò db_datareader trên cơ sở dữ liệu của PMV).
3. Ghi vào pos.url: Server=...;Database=...;User Id=tên;Password=mật khẩu (bỏ Trusted_Connection), rồi chạy lại kiểm tra.
4. Cần giúp, gọi %1.</source>
        <translation>The connection string to the PMV data uses Windows login; the support app needs its own read-only SQL account. PMV and the sales data are not affected.
1. Keep selling in PMV as usual.
2. Technician: on SQL Server, turn on the “SQL Server and Windows Authentication” login mode and create a read-only account (the db_datareader role on PMV&apos;s database).
3. Write in pos.url: Server=...;Database=...;User Id=user;Password=password (remove Trusted_Connection), then run the checks again.
4. For help, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="120"/>
        <source>Bản cài đặt ứng dụng hỗ trợ thiếu thành phần để đọc dữ liệu PMV; PMV và dữ liệu bán hàng không bị ảnh hưởng.
1. Vào mục “Cập nhật”, cài bản mới nhất của ứng dụng.
2. Nếu vẫn báo thiếu, gọi %1 để kỹ thuật viên cài lại ứng dụng.</source>
        <translation>The support app&apos;s installation is missing a component it needs to read the PMV data; PMV and the sales data are not affected.
1. Open “Updates” and install the latest version of the app.
2. If it still reports something missing, call %1 so a technician can reinstall the app.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="127"/>
        <source>Không liên lạc được với máy chủ chứa dữ liệu PMV.
1. Kiểm tra máy chủ (máy chứa dữ liệu PMV) đã bật, và PMV trên máy này vẫn lập được hóa đơn.
2. Kiểm tra dây mạng hoặc wifi của máy này và của máy chủ.
3. Gọi %1: kỹ thuật viên kiểm tra SQL Server nhận kết nối TCP/IP (cổng 1433, hoặc dịch vụ SQL Server Browser cho tên phiên bản như SQLEXPRESS) và tường lửa của máy chủ.</source>
        <translation>Cannot reach the server holding the PMV data.
1. Check that the server (the computer holding the PMV data) is on, and that PMV on this computer can still make invoices.
2. Check the network cable or Wi-Fi of this computer and of the server.
3. Call %1: a technician will check that SQL Server accepts TCP/IP connections (port 1433, or the SQL Server Browser service for an instance name such as SQLEXPRESS) and the server&apos;s firewall.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="135"/>
        <source>Không liên lạc được với máy chủ chứa dữ liệu PMV.
1. Kiểm tra máy chủ (máy chứa dữ liệu PMV) đã bật, và PMV trên máy này vẫn lập được hóa đơn.
2. Kiểm tra dây mạng hoặc wifi của máy này và của máy chủ.
3. Gọi %1: kỹ thuật viên kiểm tra PostgreSQL nhận kết nối từ mạng (cổng 5432, listen_addresses trong postgresql.conf, pg_hba.conf) và tường lửa của máy chủ.</source>
        <translation>Cannot reach the server holding the PMV data.
1. Check that the server (the computer holding the PMV data) is on, and that PMV on this computer can still make invoices.
2. Check the network cable or Wi-Fi of this computer and of the server.
3. Call %1: a technician will check that PostgreSQL accepts network connections (port 5432, listen_addresses in postgresql.conf, pg_hba.conf) and the server&apos;s firewall.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="143"/>
        <source>Máy chủ dữ liệu PMV không nhận tên đăng nhập hoặc mật khẩu trong cài đặt của ứng dụng hỗ trợ; PMV và dữ liệu bán hàng không bị ảnh hưởng.
1. Không thử đoán mật khẩu nhiều lần: tài khoản có thể bị khóa.
2. Gọi %1 để kỹ thuật viên kiểm tra tài khoản chỉ đọc của ứng dụng và sửa pos.url.</source>
        <translation>The PMV data server does not accept the user name or password in the support app&apos;s settings; PMV and the sales data are not affected.
1. Do not keep guessing the password: the account may get locked.
2. Call %1 so a technician can check the app&apos;s read-only account and correct pos.url.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="153"/>
        <source>Server=máy-chủ\SQLEXPRESS;Database=PMV;User Id=tên;Password=mật-khẩu (SQL Server), postgresql://tên:mật-khẩu@máy-chủ:5432/PMV (PostgreSQL)</source>
        <translation>Server=server\SQLEXPRESS;Database=PMV;User Id=user;Password=password (SQL Server), postgresql://user:password@server:5432/PMV (PostgreSQL)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="183"/>
        <source>%1 ngày %2 giờ</source>
        <translation>%1 d %2 h</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="184"/>
        <source>%1 ngày</source>
        <translation>%1 d</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="186"/>
        <location filename="../../app/health/checks/system.py" line="141"/>
        <source>%1 giờ %2 phút</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="187"/>
        <source>%1 giờ</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="188"/>
        <location filename="../../app/health/checks/system.py" line="139"/>
        <source>%1 phút</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="221"/>
        <source>chuỗi rỗng</source>
        <translation>empty string</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="222"/>
        <source>không phải URL (có ://) cũng không phải chuỗi Khóa=Giá trị;...</source>
        <translation>neither a URL (with ://) nor a Key=Value;... string</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="223"/>
        <source>không đọc được URL (%1)</source>
        <translation>cannot read the URL (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="224"/>
        <source>phần sau khóa &apos;%1&apos; thiếu dấu = (giá trị có dấu ; phải đặt trong {...})</source>
        <translation>the part after key &apos;%1&apos; has no = (a value containing ; must be enclosed in {...})</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="225"/>
        <source>phần đầu chuỗi thiếu dấu =</source>
        <translation>the start of the string has no =</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="226"/>
        <source>có dấu = mà không có tên khóa đứng trước</source>
        <translation>an = with no key name before it</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="227"/>
        <source>khóa &apos;%1&apos; được ghi hai lần với hai giá trị khác nhau</source>
        <translation>key &apos;%1&apos; is written twice with two different values</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="228"/>
        <source>giá trị của &apos;%1&apos; mở ngoặc mà không đóng</source>
        <translation>the value of &apos;%1&apos; opens a bracket but never closes it</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="229"/>
        <source>có chữ thừa sau dấu đóng ngoặc của &apos;%1&apos;</source>
        <translation>there is extra text after the closing bracket of &apos;%1&apos;</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="230"/>
        <source>%1 (chỉ nhận yes, no, true, false hoặc SSPI)</source>
        <translation>%1 (only yes, no, true, false or SSPI are accepted)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="231"/>
        <source>cổng &apos;%1&apos; không phải số từ 1 đến 65535</source>
        <translation>port &apos;%1&apos; is not a number from 1 to 65535</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="241"/>
        <source>Chuỗi kết nối PMV (pos.url) không đúng dạng: %1; dạng đúng: %2</source>
        <translation>The PMV connection string (pos.url) is malformed: %1; correct form: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="244"/>
        <source>pos.url đang là đường dẫn tệp (%1): tệp dữ liệu SQLite khai báo ở pos.database, còn pos.url là chuỗi kết nối máy chủ, dạng: %2</source>
        <translation>pos.url is a file path (%1): an SQLite data file belongs in pos.database, while pos.url is a server connection string, in the form: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="248"/>
        <source>Chưa hỗ trợ cơ sở dữ liệu &apos;%1&apos; trong pos.url; hỗ trợ SQL Server, PostgreSQL và SQLite</source>
        <translation>Database &apos;%1&apos; in pos.url is not supported yet; supported: SQL Server, PostgreSQL and SQLite</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="251"/>
        <source>Chuỗi kết nối PMV dùng đăng nhập Windows (%1), ứng dụng chưa hỗ trợ; hãy dùng tài khoản SQL: ghi User Id=tên;Password=mật-khẩu thay cho Trusted_Connection</source>
        <translation>The PMV connection string uses Windows login (%1), which the app does not support yet; use an SQL account: write User Id=user;Password=password instead of Trusted_Connection</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="256"/>
        <source>Chuỗi kết nối PMV thiếu tài khoản SQL; thêm User Id=tên;Password=mật-khẩu</source>
        <translation>The PMV connection string has no SQL account; add User Id=user;Password=password</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="258"/>
        <source>Chuỗi kết nối PMV thiếu tên cơ sở dữ liệu; thêm Database=tên (ví dụ Database=PMV)</source>
        <translation>The PMV connection string has no database name; add Database=name (e.g. Database=PMV)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="261"/>
        <source>Chuỗi kết nối PMV dùng nguồn dữ liệu ODBC (DSN=%1), ứng dụng không đọc được DSN; hãy ghi thẳng Server=...;Database=...;User Id=...;Password=...</source>
        <translation>The PMV connection string uses an ODBC data source (DSN=%1), which the app cannot read; write Server=...;Database=...;User Id=...;Password=... directly</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="265"/>
        <source>Máy chủ &apos;%1&apos; dùng named pipes, shared memory hoặc LocalDB; ứng dụng chỉ kết nối SQL Server qua TCP/IP: ghi Server=tên-máy\SQLEXPRESS hoặc Server=tên-máy,1433</source>
        <translation>Server &apos;%1&apos; uses named pipes, shared memory or LocalDB; the app connects to SQL Server only over TCP/IP: write Server=machine-name\SQLEXPRESS or Server=machine-name,1433</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="269"/>
        <source>Bản cài đặt thiếu trình điều khiển cơ sở dữ liệu %1; cài lại hoặc cập nhật ứng dụng</source>
        <translation>The installation is missing the database driver %1; reinstall or update the app</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="278"/>
        <location filename="../../app/health/checks/database.py" line="279"/>
        <source>tệp đang bị PMV hoặc chương trình khác khóa</source>
        <translation>the file is locked by PMV or another program</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="280"/>
        <source>ổ đĩa báo lỗi khi đọc</source>
        <translation>the drive reported a read error</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="281"/>
        <source>nội dung tệp bị hỏng</source>
        <translation>the file&apos;s contents are damaged</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="282"/>
        <source>không mở được tệp: kiểm tra quyền truy cập</source>
        <translation>cannot open the file: check the access permissions</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="283"/>
        <source>không có quyền đọc tệp</source>
        <translation>no permission to read the file</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="284"/>
        <source>tệp không phải dữ liệu SQLite</source>
        <translation>the file is not an SQLite database</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="294"/>
        <source>tệp không có bảng dữ liệu của PMV</source>
        <translation>the file has no PMV data tables</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="295"/>
        <source>lỗi SQLite</source>
        <translation>SQLite error</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="312"/>
        <source>Không liên lạc được máy chủ dữ liệu PMV (%1)</source>
        <translation>Cannot reach the PMV data server (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="315"/>
        <source>Máy chủ dữ liệu PMV (%1) từ chối đăng nhập &apos;%2&apos;</source>
        <translation>The PMV data server (%1) refused the login &apos;%2&apos;</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="318"/>
        <source>Máy chủ %1 không có cơ sở dữ liệu &apos;%2&apos; (hoặc tài khoản không có quyền mở)</source>
        <translation>Server %1 has no database &apos;%2&apos; (or the account has no permission to open it)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="321"/>
        <source>Không mở được cơ sở dữ liệu PMV</source>
        <translation>Cannot open the PMV database</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="354"/>
        <source>PMV đang bận ghi dữ liệu (tệp dữ liệu bị khóa suốt %1 giây) nên chưa kiểm tra được; chạy lại kiểm tra sau vài phút</source>
        <translation>PMV is busy writing its data (the data file stayed locked for %1 s), so it could not be checked; run the checks again in a few minutes</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="395"/>
        <source>Không tìm thấy tệp dữ liệu PMV: %1</source>
        <translation>PMV data file not found: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="396"/>
        <source>Đường dẫn trong cài đặt: %1</source>
        <translation>Path in the settings: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="368"/>
        <source>Tệp dữ liệu PMV trống (0 byte): %1</source>
        <translation>The PMV data file is empty (0 bytes): %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="373"/>
        <source>Tệp dữ liệu PMV bị hỏng, không đọc được (%1)</source>
        <translation>The PMV data file is damaged and cannot be read (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="375"/>
        <source>Không mở được cơ sở dữ liệu PMV (%1)</source>
        <translation>Cannot open the PMV database (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="420"/>
        <source>Cơ sở dữ liệu %1 trả lời chậm: %2 ms (ngưỡng %3 ms)</source>
        <translation>The %1 database is answering slowly: %2 ms (threshold %3 ms)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="423"/>
        <source>Kết nối được cơ sở dữ liệu %1 trong %2 ms</source>
        <translation>Connected to the %1 database in %2 ms</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="439"/>
        <source>Bỏ qua: chỉ kiểm tra được với SQLite (PMV đang dùng %1)</source>
        <translation>Skipped: can only be checked on SQLite (PMV is using %1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="473"/>
        <source>Dữ liệu PMV nguyên vẹn</source>
        <translation>PMV data is intact</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="479"/>
        <source>%1 (kiểm tra đầy đủ lúc %2)</source>
        <translation>%1 (full check at %2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="499"/>
        <source>Ổ đĩa gần đầy, chưa kiểm tra đầy đủ dữ liệu PMV: bản chép tạm cần %1 MB, ổ chứa thư mục tạm còn trống %2 MB, cần ít nhất %3 MB</source>
        <translation>The disk is nearly full; PMV&apos;s data was not checked in full: the temporary copy needs %1 MB, the drive holding the temp folder has %2 MB free, at least %3 MB is needed</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="502"/>
        <source>Thư mục tạm: %1; sau khi chép phải còn trống ít nhất %2 GB để PMV ghi dữ liệu</source>
        <translation>Temp folder: %1; after copying at least %2 GB must stay free for PMV to save its data</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="529"/>
        <source>Tệp dữ liệu PMV bị hỏng: %1 lỗi cấu trúc (%2)</source>
        <translation>The PMV data file is damaged; structural errors found: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="534"/>
        <source>Dữ liệu PMV nguyên vẹn: kiểm tra đủ %1 trang và chỉ mục, không có lỗi</source>
        <translation>PMV data is intact: the full check of its pages and indexes found no errors (pages checked: %1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/database.py" line="560"/>
        <source>trình điều khiển SQLite không hỗ trợ sao chép trực tuyến</source>
        <translation>the SQLite driver does not support online backup</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="36"/>
        <source>Máy in không trả lời; in hóa đơn hoặc tem sẽ bị lỗi.
1. Kiểm tra máy in đã bật, còn giấy/tem, đèn báo không nháy đỏ.
2. Kiểm tra dây mạng (hoặc dây USB) cắm chắc ở cả hai đầu.
3. Tắt máy in 10 giây rồi bật lại, chờ 1 phút và chạy lại kiểm tra.
4. Máy in qua Windows: mở “Printers &amp; scanners”, xem máy in có bị “Offline” không.
5. Vẫn không được, gọi %1.</source>
        <translation>The printer is not answering; printing invoices or labels will fail.
1. Check that the printer is on, has paper/labels left, and its light is not blinking red.
2. Check that the network cable (or USB cable) is firmly plugged in at both ends.
3. Turn the printer off for 10 seconds and on again, wait 1 minute and run the checks again.
4. Printer set up in Windows: open “Printers &amp; scanners” and see whether the printer shows “Offline”.
5. If it still does not work, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="45"/>
        <source>Không thấy cổng của máy in tem (cổng COM / USB-COM); in tem sẽ bị lỗi.
1. Kiểm tra máy in đã bật và dây cáp cắm chắc ở cả hai đầu.
2. Rút dây máy in ra, chờ 5 giây rồi cắm lại (đúng cổng USB cũ).
3. Mở Device Manager, mục “Ports (COM &amp; LPT)”, xem máy in đang ở cổng COM nào.
4. Nếu số cổng đã đổi, gọi %1 để kỹ thuật viên sửa lại cổng trong chế độ kỹ thuật viên (thẻ “Cài đặt”).
5. Vẫn không thấy, gọi %1.</source>
        <translation>The label printer&apos;s port (COM / USB-COM) cannot be found; printing tags will fail.
1. Check that the printer is on and its cable is plugged in firmly at both ends.
2. Unplug the printer, wait 5 seconds and plug it in again (into the same USB port as before).
3. Open Device Manager, section “Ports (COM &amp; LPT)”, and see which COM port the printer is on.
4. If the port number has changed, call %1 so a technician can correct the port in technician mode (the “Settings” tab).
5. Still not found: call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="55"/>
        <source>Không thấy cổng của máy quét mã vạch.
1. Rút dây máy quét ra, chờ 5 giây rồi cắm lại (đúng cổng USB cũ).
2. Mở Device Manager, mục “Ports (COM &amp; LPT)”, xem máy quét đang ở cổng COM nào.
3. Nếu số cổng đã đổi, gọi %1 để kỹ thuật viên sửa lại cổng trong chế độ kỹ thuật viên (thẻ “Cài đặt”).
4. Vẫn không thấy, gọi %1.</source>
        <translation>The barcode scanner&apos;s port cannot be found.
1. Unplug the scanner, wait 5 seconds and plug it in again (into the same USB port as before).
2. Open Device Manager, section “Ports (COM &amp; LPT)”, and see which COM port the scanner is on.
3. If the port number has changed, call %1 so a technician can correct the port in technician mode (the “Settings” tab).
4. If it still cannot be found, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="86"/>
        <location filename="../../app/health/checks/services.py" line="123"/>
        <source>quá %1 giây không trả lời</source>
        <translation>no answer within %1 s</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="88"/>
        <source>từ chối kết nối (máy in tắt hoặc sai cổng)</source>
        <translation>connection refused (printer off or wrong port)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="90"/>
        <source>lỗi mạng: %1</source>
        <translation>network error: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="115"/>
        <source>cổng %1</source>
        <translation>port %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="117"/>
        <source>hàng đợi “%1”</source>
        <translation>queue “%1”</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="120"/>
        <source>máy này không đọc được hàng đợi in của Windows</source>
        <translation>this computer cannot read the Windows print queues</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="124"/>
        <source>không có hàng đợi này trong Windows</source>
        <translation>Windows has no such queue</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="125"/>
        <source>chưa khai báo</source>
        <translation>not set</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="126"/>
        <source>chưa khai báo địa chỉ (host), cổng (serial) hay hàng đợi (queue)</source>
        <translation>no network address (host), port (serial) or print queue (queue) is set</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="132"/>
        <source>chưa khai báo máy in nào</source>
        <translation>no printer is set up</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="149"/>
        <source>%1/%2 máy in không kết nối được: %3</source>
        <translation>Printers not reachable (%1/%2): %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="153"/>
        <source>Bỏ qua: không kiểm tra được máy in nào (%1)</source>
        <translation>Skipped: no printer could be checked (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="156"/>
        <source>%1/%2 máy in sẵn sàng; chưa kiểm tra được: %3</source>
        <translation>Printers ready: %1/%2; could not be checked: %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="159"/>
        <source>%1/%2 máy in sẵn sàng</source>
        <translation>Printers ready: %1/%2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="170"/>
        <source>- %1 (%2): chưa kiểm tra được</source>
        <translation>- %1 (%2): could not be checked</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="172"/>
        <source>- %1 (%2): sẵn sàng</source>
        <translation>- %1 (%2): ready</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="174"/>
        <source>- %1 (%2): KHÔNG kết nối được</source>
        <translation>- %1 (%2): NOT reachable</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="191"/>
        <source>địa chỉ socket:// sai dạng (cần socket://máy:cổng)</source>
        <translation>malformed socket:// address (expected socket://host:port)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="194"/>
        <source>từ chối kết nối (bộ chuyển đổi tắt hoặc sai cổng)</source>
        <translation>connection refused (the serial-to-network converter is off or the port is wrong)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="211"/>
        <source>không có cổng này trên máy</source>
        <translation>this computer has no such port</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="217"/>
        <source>chưa khai báo cổng máy quét (máy quét kiểu bàn phím không cần)</source>
        <translation>no scanner port is set (keyboard-mode scanners do not need one)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="228"/>
        <source>- %1: có</source>
        <translation>- %1: found</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="229"/>
        <source>- %1: KHÔNG thấy (%2)</source>
        <translation>- %1: NOT found (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="234"/>
        <source>Không thấy %1/%2 cổng máy quét: %3</source>
        <translation>Scanner ports not found (%1/%2): %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/devices.py" line="237"/>
        <source>Đủ %1/%2 cổng máy quét: %3</source>
        <translation>All scanner ports found (%1/%2): %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="39"/>
        <source>Phần mềm PMV chưa có bảng giá vàng, nên không tính được tiền hàng.
1. Mở PMV, vào mục bảng giá vàng.
2. Nhập giá mua và giá bán hôm nay cho từng loại vàng, rồi bấm Lưu.
3. Nếu PMV không lưu được, gọi %1.</source>
        <translation>PMV has no gold price board, so it cannot price goods.
1. Open PMV and go to the gold price board.
2. Enter today&apos;s buying and selling price for each type of gold, then press Save.
3. If PMV cannot save, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="46"/>
        <source>Bảng giá vàng trong PMV chưa được cập nhật hôm nay; hóa đơn sẽ tính theo giá cũ.
1. Mở PMV, vào mục bảng giá vàng.
2. Nhập giá mua và giá bán hôm nay cho từng loại vàng, rồi bấm Lưu.
3. So lại với bảng giá niêm yết tại quầy.
4. Nếu PMV không lưu được giá hoặc giá tự quay về giá cũ, gọi %1.</source>
        <translation>The gold price board in PMV has not been updated today; invoices will use the old prices.
1. Open PMV and go to the gold price board.
2. Enter today&apos;s buying and selling price for each type of gold, then press Save.
3. Compare with the prices displayed at the counter.
4. If PMV cannot save the prices, or they go back to the old ones by themselves, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="64"/>
        <source>Bảng giá vàng có giá sai (giá bán không cao hơn giá mua, hoặc giá bằng 0).
1. Mở PMV, vào mục bảng giá vàng, sửa giá của loại vàng được nêu: giá bán phải cao hơn giá mua.
2. Bấm Lưu rồi chạy lại kiểm tra.
3. Xem lại các hóa đơn đã lập từ lúc nhập giá sai; nếu cần điều chỉnh hóa đơn, gọi %1.</source>
        <translation>The gold price board has a wrong price (the selling price is not above the buying price, or a price is 0).
1. Open PMV, go to the gold price board and correct the price of the gold type named: the selling price must be higher than the buying price.
2. Press Save, then run the check again.
3. Review the invoices issued since the wrong price was entered; if an invoice needs adjusting, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="71"/>
        <source>Số hóa đơn bị thiếu hoặc bị trùng; đây là sai sót về hóa đơn phải xử lý với cơ quan thuế.
1. Không xóa hóa đơn và không lập hóa đơn mới để “lấp” số bị thiếu.
2. Ghi lại các số hóa đơn được nêu trong phần chi tiết.
3. Gọi ngay %1: kỹ thuật viên sẽ đối chiếu với hóa đơn điện tử và hướng dẫn lập thông báo hóa đơn có sai sót (mẫu 04/SS-HĐĐT) nếu cần.</source>
        <translation>Invoice numbers are missing or duplicated; this is an invoice error that must be settled with the tax authority.
1. Do not delete invoices, and do not issue new invoices to “fill” the missing numbers.
2. Write down the invoice numbers listed in the details.
3. Call %1 now: a technician will compare them with the e-invoices and, if needed, guide you through filing a notice of invoice errors (form 04/SS-HĐĐT).</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="79"/>
        <source>Số hóa đơn không tăng theo thời gian lập: thường do đồng hồ máy tính bị chỉnh sai.
1. Kiểm tra ngày giờ ở góc dưới màn hình; nếu sai, bật “Set time automatically” trong cài đặt ngày giờ của Windows.
2. Không sửa ngày giờ trên các hóa đơn đã lập.
3. Gọi %1 để kỹ thuật viên kiểm tra các hóa đơn được nêu.</source>
        <translation>Invoice numbers do not increase with the time of issue: usually because the PC&apos;s clock was set wrong.
1. Check the date and time in the corner at the bottom of the screen; if wrong, turn on “Set time automatically” in Windows&apos; date and time settings.
2. Do not change the date or time on invoices already issued.
3. Call %1 so a technician can check the invoices listed.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="166"/>
        <source>Chưa có bảng giá vàng trong PMV</source>
        <translation>PMV has no gold price board yet</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="172"/>
        <source>Bảng giá vàng mang thời gian trong tương lai (%1): đồng hồ máy hoặc PMV bị sai, hãy sửa đồng hồ rồi cập nhật lại bảng giá</source>
        <translation>The gold price board is dated in the future (%1): the computer clock or PMV is wrong; correct the clock, then update the board again</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="192"/>
        <source>SAI: %1: mua %2, bán %3 / chỉ (%4)</source>
        <translation>WRONG: %1: buy %2, sell %3 per chỉ (%4)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="194"/>
        <source>%1: mua %2, bán %3 / chỉ (%4)</source>
        <translation>%1: buy %2, sell %3 per chỉ (%4)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="201"/>
        <source>Giá vàng sai ở %1: mua %2, bán %3; cũng sai: %4</source>
        <translation>Wrong gold price for %1: buy %2, sell %3; also wrong: %4</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="203"/>
        <source>Giá vàng sai ở %1: mua %2, bán %3</source>
        <translation>Wrong gold price for %1: buy %2, sell %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="222"/>
        <source>Bảng giá vàng đã cũ %1 (cập nhật lần cuối %2)</source>
        <translation>Gold price board is %1 old (last updated %2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="224"/>
        <source>Bảng giá vàng cập nhật cách đây %1 (%2), quá %3 giờ</source>
        <translation>Gold price board updated %1 ago (%2), over %3 h</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="213"/>
        <source>Bảng giá vàng cập nhật lúc %1 (cách đây %2), %3 loại vàng</source>
        <translation>Gold price board updated at %1 (%2 ago); gold types: %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="55"/>
        <source>Bảng giá vàng trong PMV đã được nhập hôm nay nhưng đã lâu chưa cập nhật lại; giá vàng có thể đã thay đổi trong ngày.
1. So bảng giá trong PMV với giá vàng hiện tại (bảng niêm yết tại quầy hoặc giá nơi lấy hàng vừa báo).
2. Nếu giá đã đổi, mở PMV, vào mục bảng giá vàng, nhập giá mua và giá bán mới cho từng loại vàng, rồi bấm Lưu.
3. Nếu cửa hàng chỉ đặt giá một lần mỗi ngày, gọi %1 để kỹ thuật viên chỉnh thời hạn cập nhật giá.</source>
        <translation>The gold price board in PMV was entered today but has not been updated for a long time; gold prices may have changed during the day.
1. Compare the board in PMV with the current gold price (the board at the counter or the price your supplier just gave).
2. If the price has changed, open PMV, go to the gold price board, enter the new buy and sell prices for each gold type, then press Save.
3. If the shop sets its prices only once a day, call %1 so a technician can change how often prices must be updated.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="87"/>
        <source>PMV lưu số của một số hóa đơn ở dạng không đọc được, nên không kiểm tra được các số đó có liên tục không.
1. Không sửa số hóa đơn trong PMV hay trong cơ sở dữ liệu.
2. Ghi lại các hóa đơn được nêu trong phần chi tiết.
3. Gọi %1 để kỹ thuật viên đối chiếu các hóa đơn đó với hóa đơn điện tử.</source>
        <translation>PMV stored the numbers of some invoices in a form that cannot be read, so whether those numbers run on without gaps cannot be checked.
1. Do not change invoice numbers in PMV or in its database.
2. Note the invoices listed in the details.
3. Call %1 so a technician can match those invoices against the e-invoices.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="121"/>
        <source>“%1” (không đọc được)</source>
        <translation>“%1” (unreadable)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="193"/>
        <source>CŨ: %1: mua %2, bán %3 / chỉ (%4)</source>
        <translation>OLD: %1: buy %2, sell %3 / chỉ (%4)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="210"/>
        <source>Ngoài giờ giao dịch (mở cửa %1): dùng bảng giá hôm qua, cập nhật lúc %2</source>
        <translation>Outside trading hours (opens at %1): using yesterday&apos;s price board, updated at %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="219"/>
        <source>%1 trong %2 loại vàng có giá cũ (%3), cũ nhất cập nhật lúc %4 (cách đây %5)</source>
        <translation>%1 of %2 gold types have old prices (%3), the oldest updated at %4 (%5 ago)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="227"/>
        <source>Bảng giá vàng chưa cập nhật hôm nay: lần cuối %1 (cách đây %2)</source>
        <translation>Gold price board not updated today: last at %1 (%2 ago)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="332"/>
        <source>Không có hóa đơn nào trong %1 ngày qua</source>
        <comment>one</comment>
        <translation>No invoices in the last %1 day</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="333"/>
        <source>Không có hóa đơn nào trong %1 ngày qua</source>
        <translation>No invoices in the last %1 days</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="352"/>
        <source>Bảng kê thu mua %1: %2 bảng kê, số %3 đến %4</source>
        <translation>Purchase record series %1: count %2, numbers %3 to %4</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="353"/>
        <source>Ký hiệu %1: %2 hóa đơn, số %3 đến %4</source>
        <translation>Invoice series %1: count %2, numbers %3 to %4</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="357"/>
        <source>Thiếu %1 số: %2 (và %3 số khác)</source>
        <translation>Missing numbers (%1): %2 (and %3 more)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="360"/>
        <source>Thiếu %1 số: %2</source>
        <translation>Missing numbers (%1): %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="362"/>
        <source>Trùng %1 số: %2</source>
        <translation>Duplicate numbers (%1): %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="364"/>
        <source>Lập trước hóa đơn số nhỏ hơn: %1</source>
        <translation>Issued before a lower-numbered invoice: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="366"/>
        <location filename="../../app/health/checks/pos_data.py" line="386"/>
        <source>Không đọc được số hóa đơn: %1</source>
        <translation>Invoice numbers that cannot be read: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="371"/>
        <source>thiếu %1 số (%2)</source>
        <translation>missing numbers: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="373"/>
        <source>trùng %1 số (%2)</source>
        <translation>duplicate numbers: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="374"/>
        <source>Số hóa đơn không liên tục trong %1 ngày qua: %2</source>
        <comment>one</comment>
        <translation>Invoice numbers not continuous over the last %1 day: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="375"/>
        <source>Số hóa đơn không liên tục trong %1 ngày qua: %2</source>
        <translation>Invoice numbers not continuous over the last %1 days: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="380"/>
        <source>%1 hóa đơn có số không tăng theo giờ lập (%2)</source>
        <translation>Invoices whose numbers do not follow the time of issue: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="388"/>
        <source>%1 đến %2</source>
        <translation>%1 to %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="391"/>
        <source>%1 hóa đơn và %2 bảng kê thu mua trong %3 ngày qua, số liên tục (%4)</source>
        <comment>one</comment>
        <translation>Last %3 day: invoices: %1, purchase records: %2; numbers continuous (%4)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="393"/>
        <source>%1 hóa đơn và %2 bảng kê thu mua trong %3 ngày qua, số liên tục (%4)</source>
        <translation>Last %3 days: invoices: %1, purchase records: %2; numbers continuous (%4)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="396"/>
        <source>%1 hóa đơn trong %2 ngày qua, số liên tục (%3)</source>
        <comment>one</comment>
        <translation>Last %2 day: invoices: %1; numbers continuous (%3)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_data.py" line="397"/>
        <source>%1 hóa đơn trong %2 ngày qua, số liên tục (%3)</source>
        <translation>Last %2 days: invoices: %1; numbers continuous (%3)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="51"/>
        <source>Phần mềm PMV ghi lỗi trong nhật ký 24 giờ qua.
1. Xem các dòng lỗi trong phần chi tiết: nếu là máy in hay đầu đọc mã vạch, kiểm tra dây cáp và bật lại thiết bị.
2. Đóng PMV rồi mở lại.
3. Nếu lỗi còn lặp lại, gửi yêu cầu hỗ trợ (nhật ký được gửi kèm) hoặc gọi %1.</source>
        <translation>PMV wrote errors to its log in the last 24 hours.
1. Read the error lines in the details: if they concern the printer or the barcode scanner, check the cable and switch the device off and on again.
2. Close PMV and open it again.
3. If the errors keep coming back, send a support request (the log is attached) or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="59"/>
        <source>Phần mềm PMV gặp lỗi nghiêm trọng hoặc ghi rất nhiều lỗi trong 24 giờ qua.
1. Lưu lại công việc đang làm, đóng PMV rồi mở lại.
2. Kiểm tra hóa đơn vừa lập gần thời điểm lỗi đã được lưu đủ chưa.
3. Gọi %1 và đọc dòng lỗi trong phần chi tiết cho kỹ thuật viên.</source>
        <translation>PMV had a critical error, or wrote a great many errors, in the last 24 hours.
1. Save the work in progress, close PMV and open it again.
2. Check that the invoices issued around the time of the error were saved in full.
3. Call %1 and read the error lines in the details to the technician.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="66"/>
        <source>Nhật ký của PMV được ghi theo một định dạng ứng dụng hỗ trợ chưa đọc được, nên không biết PMV có báo lỗi hay không.
1. Kiểm tra mục [pos] logs_dir trong cài đặt có trỏ đúng thư mục nhật ký của PMV không.
2. Gửi yêu cầu hỗ trợ (nhật ký được gửi kèm) hoặc gọi %1 để kỹ thuật viên khai báo định dạng nhật ký.</source>
        <translation>PMV&apos;s log is written in a layout the support assistant cannot read yet, so whether PMV reported errors is not known.
1. Check that [pos] logs_dir in the settings points at PMV&apos;s log folder.
2. Send a support request (the log is attached) or call %1 so a technician can set up the log layout.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="73"/>
        <source>Không thấy thư mục nhật ký của PMV, nên không biết phần mềm có đang gặp lỗi hay không.
1. Kiểm tra PMV vẫn được cài trên máy và mở được.
2. Gọi %1 để kỹ thuật viên kiểm tra đường dẫn nhật ký trong cài đặt.</source>
        <translation>PMV&apos;s log folder cannot be found, so there is no way to tell whether the software is having errors.
1. Check that PMV is still installed on this PC and opens.
2. Call %1 so a technician can check the log path in the settings.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="160"/>
        <source>chưa khai báo thư mục nhật ký PMV (pos.logs_dir)</source>
        <translation>the PMV log folder is not set (pos.logs_dir)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="163"/>
        <source>Không thấy thư mục nhật ký PMV: %1</source>
        <translation>PMV log folder not found: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="170"/>
        <source>Không đọc được thư mục nhật ký PMV %1: tài khoản Windows đang dùng không có quyền đọc</source>
        <translation>Cannot read the PMV log folder %1: the Windows account in use has no permission to read it</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="192"/>
        <source>Không đọc được nhật ký PMV: %1 tệp ghi theo định dạng ứng dụng này không nhận ra</source>
        <translation>PMV&apos;s log cannot be read: its files are written in a layout this app does not recognise (%1 in all)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="205"/>
        <source>%1 tệp nhật ký 24 giờ qua (chỉ đọc phần cuối của tệp lớn)</source>
        <translation>log files from the last 24 hours: %1 (only the end of large files was read)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="206"/>
        <source>%1 tệp nhật ký 24 giờ qua</source>
        <translation>log files from the last 24 hours: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="210"/>
        <source>Không có lỗi trong nhật ký PMV, %1 cảnh báo (%2)</source>
        <translation>No errors in the PMV log; warnings: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="212"/>
        <source>Cảnh báo gần nhất: %1 %2</source>
        <translation>Latest warning: %1 %2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="215"/>
        <source>Không có lỗi trong nhật ký PMV (%1)</source>
        <translation>No errors in the PMV log (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="218"/>
        <source>Đã đọc %1</source>
        <translation>Read %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="222"/>
        <source>%1 lỗi trong nhật ký PMV 24 giờ qua, %2 lỗi nghiêm trọng; gần nhất %3: %4</source>
        <translation>Errors in the PMV log in the last 24 hours: %1 (%2 critical); latest at %3: %4</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/pos_log.py" line="225"/>
        <source>%1 lỗi trong nhật ký PMV 24 giờ qua; gần nhất %2: %3</source>
        <translation>Errors in the PMV log in the last 24 hours: %1; latest at %2: %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="43"/>
        <source>Máy chủ hỗ trợ chưa kết nối được; cửa hàng vẫn bán hàng bình thường, yêu cầu hỗ trợ sẽ nằm chờ trong hộp thư và tự gửi khi có mạng.
1. Mở một trang web bất kỳ để kiểm tra Internet của máy.
2. Nếu không vào được mạng: tắt rồi bật lại modem/router, chờ 2 phút.
3. Nếu các trang web khác vẫn vào được: địa chỉ máy chủ hỗ trợ có thể đã sai; kỹ thuật viên kiểm tra trong chế độ kỹ thuật viên (thẻ “Cài đặt”, mục vendor).
4. Việc gấp, gọi %1 (trực 24/7).</source>
        <translation>The support server cannot be reached; the shop can keep selling as usual, and support requests wait in the outbox and are sent by themselves once the network is back.
1. Open any web page to check the PC&apos;s Internet connection.
2. If there is no Internet: switch the modem/router off and on again and wait 2 minutes.
3. If other web pages open: the support server&apos;s address may be wrong; a technician checks it in technician mode (the “Settings” tab, vendor section).
4. If it is urgent, call %1 (staffed 24/7).</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="53"/>
        <source>Không đọc được phiên bản phần mềm PMV.
1. Thư mục cài đặt PMV (pos.install_dir) có thể đã sai; kỹ thuật viên kiểm tra trong chế độ kỹ thuật viên (thẻ “Cài đặt”).
2. Trong thư mục đó phải có tệp version.txt; nếu không có, phần mềm có thể cài thiếu.
3. Gọi %1 để kỹ thuật viên kiểm tra và cài lại nếu cần.</source>
        <translation>The PMV software&apos;s version cannot be read.
1. The PMV install folder (pos.install_dir) may be wrong; a technician checks it in technician mode (the “Settings” tab).
2. That folder must hold a version.txt file; if it does not, the software may not be fully installed.
3. Call %1 so a technician can check it and reinstall if needed.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="61"/>
        <source>Phần mềm PMV chưa ở phiên bản mới nhất.
1. Ghi lại phiên bản đang dùng và phiên bản mới (trong dòng kết quả).
2. Gọi %1 hoặc gửi yêu cầu “Cập nhật quy định” để hẹn giờ cập nhật ngoài giờ bán.
3. Không tự cài đè khi đang bán hàng.</source>
        <translation>The PMV software is not on the latest version.
1. Note down the version in use and the new version (shown in the result line).
2. Call %1 or send a “Regulation update” request to book the update outside selling hours.
3. Do not install over it yourself while selling.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="68"/>
        <source>Trợ lý hỗ trợ PMV có phiên bản mới.
1. Mở mục “Cập nhật”.
2. Khi bản mới đã tải về, bấm “Khởi động lại để cập nhật”; ứng dụng sẽ tự khởi động lại.
3. Nếu không thấy nút đó hoặc cài không được, gọi %1.</source>
        <translation>A new version of PMV Support Assistant is available.
1. Open “Updates”.
2. Once the new version has been downloaded, click “Restart to update”; the app restarts by itself.
3. If that button does not appear, or the update fails, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="175"/>
        <source>máy chủ từ chối kết nối</source>
        <translation>the server refused the connection</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="177"/>
        <source>không tìm thấy địa chỉ máy chủ (mất mạng hoặc lỗi DNS)</source>
        <translation>the server&apos;s address cannot be found (no network or a DNS error)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="178"/>
        <source>lỗi mạng (%1)</source>
        <translation>network error (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="187"/>
        <source>Máy chủ hỗ trợ trả lời sau %1 ms</source>
        <translation>The support server answered in %1 ms</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="189"/>
        <source>máy chủ trả lời mã lỗi %1</source>
        <translation>the server answered with error code %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="191"/>
        <source>Không kết nối được máy chủ hỗ trợ: %1</source>
        <translation>Cannot connect to the support server: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="192"/>
        <source>%1
Yêu cầu hỗ trợ vẫn được lưu và sẽ tự gửi khi có mạng.</source>
        <translation>%1
Support requests are still saved and will be sent automatically once the network is back.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="254"/>
        <source>PMV: chưa khai báo thư mục cài đặt</source>
        <translation>PMV: installation folder not set</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="256"/>
        <source>PMV: không đọc được version.txt</source>
        <translation>PMV: cannot read version.txt</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="258"/>
        <source>Không có hoặc không đọc được %1</source>
        <translation>%1 is missing or cannot be read</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="261"/>
        <source>Trợ lý hỗ trợ</source>
        <translation>Support Assistant</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="267"/>
        <source>%1; %2 (chưa có thông tin phiên bản mới nhất)</source>
        <translation>%1; %2 (latest versions not known yet)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="281"/>
        <source>%1 %2 cũ hơn bản mới nhất %3</source>
        <translation>%1 %2 is older than the latest version, %3</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="283"/>
        <source>%1 %2 (không so được với %3)</source>
        <translation>%1 %2 (cannot be compared with %3)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/services.py" line="284"/>
        <source>%1 %2 là bản mới nhất</source>
        <translation>%1 %2 is the latest version</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="23"/>
        <source>Ứng dụng vẫn theo dõi cửa hàng bằng cấu hình hợp lệ gần nhất, nhưng những thay đổi mới trong tệp cấu hình chưa có hiệu lực.
1. Mở tệp cấu hình (đường dẫn ở dòng chi tiết) bằng Notepad, đến đúng dòng được báo.
2. Sửa lỗi: thường là thiếu dấu nháy đóng &quot;, thiếu dấu ] hoặc dấu \ trong đường dẫn (hãy dùng dấu / hoặc đặt đường dẫn trong dấu nháy đơn &apos;).
3. Lưu tệp với mã hóa UTF-8, rồi mở lại ứng dụng.
4. Nếu không chắc, gọi %1 để kỹ thuật viên sửa giúp.</source>
        <translation>The app is still monitoring the shop with the last valid settings, but recent changes to the settings file have not taken effect.
1. Open the settings file (its path is in the details) in Notepad and go to the line reported.
2. Fix the error: usually a missing closing quote &quot;, a missing ] or a \ in a path (use / instead, or put the path in single quotes &apos;).
3. Save the file with UTF-8 encoding, then reopen the app.
4. If you are not sure, call %1 and a technician will fix it for you.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="33"/>
        <source>Ứng dụng đang chạy với cấu hình mặc định nên không kiểm tra được phần mềm PMV, sao lưu và thiết bị của cửa hàng.
1. Mở tệp cấu hình (đường dẫn ở dòng chi tiết) bằng Notepad, đến đúng dòng được báo.
2. Sửa lỗi: thường là thiếu dấu nháy đóng &quot;, thiếu dấu ] hoặc dấu \ trong đường dẫn (hãy dùng dấu / hoặc đặt đường dẫn trong dấu nháy đơn &apos;).
3. Lưu tệp với mã hóa UTF-8, rồi mở lại ứng dụng.
4. Gọi ngay %1 nếu không sửa được: cửa hàng đang không được theo dõi.</source>
        <translation>The app is running on default settings, so it cannot check the shop&apos;s PMV software, backups and devices.
1. Open the settings file (its path is in the details) in Notepad and go to the line reported.
2. Fix the error: usually a missing closing quote &quot;, a missing ] or a \ in a path (use / instead, or put the path in single quotes &apos;).
3. Save the file with UTF-8 encoding, then reopen the app.
4. If you cannot fix it, call %1 right away: the shop is not being monitored.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="43"/>
        <source>Một số mục trong tệp cấu hình bị bỏ qua; ứng dụng dùng giá trị hợp lệ gần nhất hoặc giá trị mặc định cho các mục đó.
1. Xem tên các mục ở dòng kết quả; tên sai chính tả cũng bị bỏ qua.
2. Sửa giá trị trong tệp cấu hình (chữ đặt trong dấu nháy kép, số viết không có dấu nháy), lưu lại rồi mở lại ứng dụng.
3. Nếu không chắc, gọi %1.</source>
        <translation>Some entries in the settings file were ignored; the app uses the last valid values or the defaults for them.
1. See the names of the entries in the result line; misspelled names are ignored too.
2. Fix the values in the settings file (text in double quotes, numbers without quotes), save it, then reopen the app.
3. If you are not sure, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="58"/>
        <location filename="../../app/health/checks/settings.py" line="82"/>
        <source>Tệp cấu hình: %1</source>
        <translation>Settings file: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="60"/>
        <source>Tệp cấu hình: %1
%2</source>
        <translation>Settings file: %1
%2</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="66"/>
        <source>không rõ cấu hình đã nạp</source>
        <translation>the loaded settings are unknown</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="70"/>
        <source>%1; đang dùng cấu hình hợp lệ gần nhất (%2)</source>
        <translation>%1; using the last valid settings (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="74"/>
        <source>%1; đang dùng cấu hình mặc định nên không theo dõi được phần mềm PMV của cửa hàng</source>
        <translation>%1; using the default settings, so the shop&apos;s PMV software is not being monitored</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="80"/>
        <source>chưa có tệp cấu hình, đang dùng cấu hình mặc định</source>
        <translation>no settings file yet; using the default settings</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="81"/>
        <source>Tệp cấu hình hợp lệ</source>
        <translation>The settings file is valid</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="89"/>
        <source>%1 và %2 mục khác</source>
        <translation>%1 and %2 more</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="91"/>
        <source>%1 mục cấu hình không hợp lệ bị bỏ qua (%2); đang dùng giá trị hợp lệ gần nhất hoặc mặc định</source>
        <translation>Invalid settings ignored: %1 (%2); using the last valid values or the defaults</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/settings.py" line="93"/>
        <source>%1 mục cấu hình không hợp lệ bị bỏ qua (%2); đang dùng giá trị mặc định</source>
        <translation>Invalid settings ignored: %1 (%2); using the default values</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="37"/>
        <source>Ổ đĩa chứa dữ liệu PMV sắp đầy; khi đầy, phần mềm có thể không lưu được hóa đơn và bản sao lưu.
1. Dọn Thùng rác (Recycle Bin) và thư mục Downloads.
2. Chạy “Disk Cleanup” của Windows cho ổ đĩa đó.
3. Không xóa thư mục dữ liệu hay thư mục sao lưu của PMV.
4. Nếu vẫn thiếu chỗ, gọi %1 để kỹ thuật viên dời bản sao lưu cũ sang ổ khác.</source>
        <translation>The drive holding the PMV data is nearly full; once it is full, the software may fail to save invoices and backups.
1. Empty the Recycle Bin and the Downloads folder.
2. Run Windows “Disk Cleanup” on that drive.
3. Do not delete the PMV data folder or the PMV backup folder.
4. If space is still short, call %1 so a technician can move old backups to another drive.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="45"/>
        <source>Đồng hồ máy tính bị lệch; giờ trên hóa đơn và hóa đơn điện tử sẽ sai.
1. Bấm chuột phải vào đồng hồ góc dưới màn hình, chọn “Adjust date/time”.
2. Bật “Set time automatically” và chọn múi giờ (UTC+07:00) Bangkok, Hanoi, Jakarta.
3. Bấm “Sync now”, rồi chạy lại kiểm tra.
4. Nếu đồng hồ tự lệch lại sau khi tắt máy (pin CMOS yếu), gọi %1.</source>
        <translation>The computer&apos;s clock is off; times on invoices and e-invoices will be wrong.
1. Right-click the clock in the bottom corner of the screen and choose “Adjust date/time”.
2. Turn on “Set time automatically” and choose the time zone (UTC+07:00) Bangkok, Hanoi, Jakarta.
3. Click “Sync now”, then run the checks again.
4. If the clock drifts again after the PC is switched off (weak CMOS battery), call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="53"/>
        <source>Máy tính đang quá tải, phần mềm PMV có thể chạy chậm hoặc treo.
1. Đóng các chương trình không dùng (trình duyệt nhiều tab, phim, trò chơi).
2. Mở Task Manager (Ctrl+Shift+Esc) để xem chương trình nào dùng nhiều nhất.
3. Cuối ngày, khởi động lại máy.
4. Nếu vẫn chậm thường xuyên, gọi %1.</source>
        <translation>The computer is overloaded; the PMV software may run slowly or freeze.
1. Close programs you are not using (a browser with many tabs, videos, games).
2. Open Task Manager (Ctrl+Shift+Esc) to see which program uses the most.
3. Restart the computer at the end of the day.
4. If it is still often slow, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="61"/>
        <source>Phần mềm PMV không chạy trong giờ bán hàng.
1. Mở phần mềm PMV từ biểu tượng trên màn hình.
2. Nếu phần mềm báo lỗi hoặc tự tắt, chụp màn hình thông báo lỗi.
3. Gọi %1 và gửi ảnh chụp cho kỹ thuật viên.</source>
        <translation>The PMV software is not running during trading hours.
1. Open the PMV software from its icon on the desktop.
2. If it shows an error or closes by itself, take a screenshot of the error message.
3. Call %1 and send the screenshot to the technician.</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="82"/>
        <source>cơ sở dữ liệu PMV</source>
        <translation>the PMV database</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="85"/>
        <source>chưa khai báo cơ sở dữ liệu PMV hay thư mục dữ liệu</source>
        <translation>neither the PMV database nor the data folder is set</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="86"/>
        <source>thư mục dữ liệu</source>
        <translation>the data folder</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="110"/>
        <source>Ổ đĩa %1 còn trống %2 GB (%3% của %4 GB)</source>
        <translation>The drive holding %1 has %2 GB free (%3% of %4 GB)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="112"/>
        <source>Đo tại %1; cảnh báo khi còn trống dưới %2 GB (%3% dung lượng ổ, tối đa %4 GB, ít nhất %5 GB), nghiêm trọng khi dưới một nửa mức đó</source>
        <translation>Measured at %1; a warning under %2 GB free (%3% of the drive, at most %4 GB, at least %5 GB), critical under half of that</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="135"/>
        <source>%1 giây</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="138"/>
        <source>%1 phút %2 giây</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="148"/>
        <source>Đồng hồ máy đang ở %1, trước cả khi phần mềm này được làm ra: đồng hồ đã bị lùi</source>
        <translation>The computer clock reads %1, before this software was even made: the clock has been set back</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="153"/>
        <source>Bỏ qua: giờ máy chủ không hợp lệ (%1), không dùng để so</source>
        <translation>Skipped: the server sent a time no clock gives (%1); it is not compared</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="159"/>
        <source>Theo đồng hồ máy (%1), chứng chỉ bảo mật của máy chủ hỗ trợ chưa đến ngày hiệu lực: đồng hồ máy bị chậm</source>
        <translation>By the PC&apos;s clock (%1), the support server&apos;s security certificate is not valid yet: the PC&apos;s clock is behind</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="164"/>
        <source>Theo đồng hồ máy (%1), chứng chỉ bảo mật của máy chủ hỗ trợ đã hết hạn: đồng hồ máy có thể bị nhanh (hoặc chứng chỉ đã hết hạn thật)</source>
        <translation>By the PC&apos;s clock (%1), the support server&apos;s security certificate has expired: the PC&apos;s clock may be ahead (or the certificate really has expired)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="169"/>
        <source>máy chủ không gửi giờ (thiếu tiêu đề Date)</source>
        <translation>the server sent no time (no Date header)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="171"/>
        <source>Bỏ qua: không so được giờ với máy chủ hỗ trợ (%1)</source>
        <translation>Skipped: could not compare the time with the support server (%1)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="184"/>
        <source>Đồng hồ máy nhanh %1 so với máy chủ</source>
        <translation>The PC&apos;s clock is %1 ahead of the server</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="186"/>
        <source>Đồng hồ máy chậm %1 so với máy chủ</source>
        <translation>The PC&apos;s clock is %1 behind the server</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="188"/>
        <source>Đồng hồ máy khớp với máy chủ hỗ trợ</source>
        <translation>The PC&apos;s clock matches the support server</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="189"/>
        <source>Giờ máy: %1 UTC; giờ máy chủ: %2 UTC</source>
        <translation>PC time: %1 UTC; server time: %2 UTC</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="210"/>
        <source>Bộ nhớ đã dùng %1% (%2/%3 GB), CPU %4%</source>
        <translation>Memory used %1% (%2/%3 GB), CPU %4%</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="214"/>
        <source>bộ nhớ trên %1%</source>
        <translation>memory above %1%</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="216"/>
        <source>CPU trên %1%</source>
        <translation>CPU above %1%</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="218"/>
        <source>Quá ngưỡng: %1</source>
        <translation>Over the limit: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="248"/>
        <source>chưa khai báo tên tiến trình PMV (pos.process_name)</source>
        <translation>the PMV process name is not set (pos.process_name)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="251"/>
        <source>Bỏ qua: ngoài giờ bán hàng (%1, bây giờ %2)</source>
        <translation>Skipped: outside trading hours (%1, now %2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="256"/>
        <source>%1 không chạy trong giờ bán hàng (%2)</source>
        <translation>%1 is not running during trading hours (%2)</translation>
    </message>
    <message>
        <location filename="../../app/health/checks/system.py" line="265"/>
        <source>%1 đang chạy (%2 tiến trình, %3 MB bộ nhớ)</source>
        <translation>%1 is running (processes: %2, memory: %3 MB)</translation>
    </message>
    <message>
        <location filename="../../app/health/context.py" line="47"/>
        <source>chuỗi kết nối PMV (pos.url) chưa dùng được, xem kiểm tra “Kết nối cơ sở dữ liệu PMV”</source>
        <translation>the PMV connection string (pos.url) cannot be used yet; see the “PMV database connection” check</translation>
    </message>
    <message>
        <location filename="../../app/health/context.py" line="92"/>
        <source>chưa khai báo cơ sở dữ liệu PMV (pos.database hoặc pos.url)</source>
        <translation>the PMV database is not set (pos.database or pos.url)</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="25"/>
        <source>chưa có dịch vụ hợp đồng</source>
        <translation>no contract service</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="31"/>
        <source>chưa có hộp thư yêu cầu hỗ trợ</source>
        <translation>no support request outbox</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="37"/>
        <source>chưa có kho gói quy định</source>
        <translation>no regulation pack store</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="50"/>
        <source>không rõ thư mục dữ liệu</source>
        <translation>the data folder is unknown</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="53"/>
        <source>chưa kiểm tra cập nhật lần nào</source>
        <translation>updates have never been checked</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="58"/>
        <source>Bản cập nhật gần nhất không có chữ ký hợp lệ: đã bị từ chối</source>
        <translation>The latest update had no valid signature: it was refused</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="62"/>
        <source>Chưa cập nhật được lần nào</source>
        <translation>No update has succeeded yet</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="66"/>
        <source>Gói quy định chưa được kiểm tra %1 ngày</source>
        <translation>Regulation packs not checked for %1 days</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="68"/>
        <source>Gói quy định đã được kiểm tra gần đây</source>
        <translation>Regulation packs were checked recently</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="72"/>
        <source>1. Kiểm tra kết nối Internet của máy.
2. Vào mục “Cập nhật”, bấm “Kiểm tra cập nhật”.
3. Nếu vẫn lỗi, gọi %1.</source>
        <translation>1. Check the PC&apos;s Internet connection.
2. Open “Updates” and click “Check for updates”.
3. If it still fails, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/health/registry.py" line="75"/>
        <source>1. Không cài lại bằng tay.
2. Gọi ngay %1: máy chủ cập nhật hoặc đường mạng có thể đã bị giả mạo; ứng dụng đã giữ nguyên các gói đang dùng.</source>
        <translation>1. Do not reinstall by hand.
2. Call %1 now: the update server or the network may have been tampered with; the app has kept the packs in use unchanged.</translation>
    </message>
    <message>
        <location filename="../../app/health/runner.py" line="36"/>
        <source>Bỏ qua: %1</source>
        <translation>Skipped: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/runner.py" line="39"/>
        <source>Không chạy được kiểm tra: %1: %2</source>
        <translation>The check could not run: %1: %2</translation>
    </message>
    <message>
        <location filename="../../app/health/runner.py" line="91"/>
        <source>Bỏ qua vì: %1 chưa đạt</source>
        <translation>Skipped because “%1” did not pass</translation>
    </message>
    <message>
        <location filename="../../app/health/runner.py" line="104"/>
        <source>Quá thời gian chờ (%1 giây): kiểm tra không trả lời</source>
        <translation>Timed out (%1 s): the check did not answer</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="19"/>
        <source>Có yêu cầu hỗ trợ hoặc trả lời chưa gửi được: kiểm tra kết nối Internet của máy, rồi mở mục “Yêu cầu hỗ trợ” để xem lỗi. Việc gấp, gọi %1 và đọc tiêu đề yêu cầu.</source>
        <translation>A support request or reply could not be sent: check this PC&apos;s Internet connection, then open “Support requests” to see the error. If it is urgent, call %1 and read out the request&apos;s title.</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="30"/>
        <source>tin nhắn</source>
        <translation>message</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="31"/>
        <source>xác nhận đã khắc phục</source>
        <translation>confirmation that it is fixed</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="32"/>
        <source>báo chưa khắc phục</source>
        <translation>report that it is not fixed</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="33"/>
        <source>xác nhận lịch hẹn</source>
        <translation>visit confirmation</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="34"/>
        <source>đề nghị giờ hẹn khác</source>
        <translation>request for another visit time</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="35"/>
        <source>đánh giá</source>
        <translation>rating</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="36"/>
        <source>báo lỗi xuất hiện lại</source>
        <translation>report that the problem is back</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="51"/>
        <source>%1 yêu cầu và %2 trả lời đang chờ gửi</source>
        <translation>Waiting to be sent — requests: %1, replies: %2</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="53"/>
        <source>%1 yêu cầu đang chờ gửi</source>
        <translation>Requests waiting to be sent: %1</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="55"/>
        <source>%1 trả lời đang chờ gửi</source>
        <translation>Replies waiting to be sent: %1</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="57"/>
        <source>Không có yêu cầu nào bị kẹt</source>
        <translation>No request is stuck</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="61"/>
        <source>chưa rõ</source>
        <translation>unknown</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="62"/>
        <source>- %1 (lỗi gần nhất: %2)</source>
        <translation>- %1 (last error: %2)</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="63"/>
        <source>- %1 cho yêu cầu “%2” (lỗi gần nhất: %3)</source>
        <translation>- %1 for the request “%2” (last error: %3)</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="67"/>
        <source>%1 yêu cầu và %2 trả lời chưa gửi được, lâu nhất %3 phút</source>
        <translation>Not sent yet — requests: %1, replies: %2; the oldest has waited %3 min</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="70"/>
        <source>%1 yêu cầu chưa gửi được, lâu nhất %2 phút</source>
        <translation>Requests not sent yet: %1; the oldest has waited %2 min</translation>
    </message>
    <message>
        <location filename="../../app/support/check.py" line="72"/>
        <source>%1 trả lời chưa gửi được, lâu nhất %2 phút</source>
        <translation>Replies not sent yet: %1; the oldest has waited %2 min</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="49"/>
        <source>Có khách giao dịch vàng từ hạn mức trở lên trong một ngày (cộng cả cửa hàng bán ra và mua vào) nhưng có phần thanh toán không qua tài khoản ngân hàng: tiền mặt, quẹt thẻ, ví điện tử hoặc phiếu quà tặng. Theo Nghị định 232/2025/NĐ-CP, từ hạn mức này phải thanh toán qua tài khoản thanh toán của khách và của cửa hàng tại ngân hàng.
1. Không xóa, không hủy và không sửa phương thức thanh toán trên các hóa đơn, bảng kê được nêu.
2. Ghi lại tên khách, ngày và số chứng từ trong phần chi tiết; báo ngay cho chủ cửa hàng.
3. Từ nay, khi tổng giao dịch trong ngày của một khách (cả mua và bán, cộng cả các hóa đơn trước đó) đạt hạn mức, chỉ nhận hoặc trả tiền bằng chuyển khoản giữa tài khoản ngân hàng của khách và của cửa hàng; tiền mặt, thẻ, ví điện tử, phiếu quà tặng đều không được, kể cả khi khách muốn tách thành nhiều hóa đơn.
4. Gọi %1 để kỹ thuật viên bật cảnh báo hạn mức trong PMV và hướng dẫn cách xử lý các giao dịch đã lập.</source>
        <translation>A customer traded gold for the limit or more in one day (the shop&apos;s sales and buy-backs added together), but part of the payment did not go through a bank account: cash, card payment, e-wallet or gift voucher. Under Decree 232/2025/NĐ-CP, from this limit payment must go through the customer&apos;s and the shop&apos;s payment accounts at a bank.
1. Do not delete, cancel or change the payment method on the invoices and purchase records listed.
2. Write down the customer&apos;s name, the day and the document numbers from the details; tell the shop owner at once.
3. From now on, when a customer&apos;s total for the day (buying and selling, including earlier invoices) reaches the limit, only take or pay money by transfer between the customer&apos;s and the shop&apos;s bank accounts; cash, cards, e-wallets and gift vouchers are not allowed, even if the customer wants to split it into several invoices.
4. Call %1 so a technician can turn on the limit warning in PMV and explain how to handle the transactions already made.</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="64"/>
        <source>Một số chứng từ trong dữ liệu PMV có số tiền hoặc thời gian ghi sai dạng (ví dụ số tiền lưu kèm dấu chấm), nên chưa kiểm tra được theo hạn mức thanh toán qua tài khoản ngân hàng.
1. Không xóa và không tự sửa các chứng từ được nêu trong phần chi tiết.
2. Đối chiếu số tiền và cách thanh toán của các chứng từ đó với hóa đơn giấy hoặc hóa đơn điện tử; nếu khách giao dịch từ hạn mức trở lên trong ngày mà có phần không chuyển khoản, báo ngay cho chủ cửa hàng.
3. Gọi %1 để kỹ thuật viên sửa dữ liệu của các chứng từ này.</source>
        <translation>Some documents in the PMV data have an amount or a time written in the wrong form (for example an amount stored with dots), so they could not be checked against the bank-payment limit.
1. Do not delete or edit yourself the documents named in the details.
2. Compare the amount and the way of payment of those documents with the paper or e-invoice; if a customer traded the limit or more in one day with a part not paid by bank transfer, tell the shop owner at once.
3. Call %1 so a technician can correct the data of these documents.</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="77"/>
        <source>tiền mặt</source>
        <translation>cash</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="78"/>
        <source>chuyển khoản</source>
        <translation>bank transfer</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="79"/>
        <source>thẻ</source>
        <translation>card</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="80"/>
        <source>ví điện tử</source>
        <translation>e-wallet</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="81"/>
        <source>phiếu quà tặng</source>
        <translation>gift voucher</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="83"/>
        <source>bán ra</source>
        <translation>sales</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="83"/>
        <source>mua vào</source>
        <translation>buy-backs</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="103"/>
        <source>Khách không tên</source>
        <translation>Unnamed customer</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="137"/>
        <source>Khách lẻ không ghi tên</source>
        <translation>Unnamed walk-in customer</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="152"/>
        <source>%1, ngày %2: tổng %3, trong đó %4 không qua tài khoản ngân hàng (%5); chứng từ %6</source>
        <translation>%1, %2: total %3, of which %4 not through a bank account (%5); documents %6</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="163"/>
        <source>Không đọc được số tiền hoặc thời gian của %1 chứng từ nên chưa xét: %2</source>
        <translation>Documents not checked, their amount or time could not be read (%1 in all): %2</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="171"/>
        <source>%1 và %2</source>
        <translation>%1 and %2</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="178"/>
        <source>mọi cách thanh toán</source>
        <translation>any means of payment</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="182"/>
        <source>Hạn mức: tổng giao dịch từ %1 của một khách trong một ngày (%2), tính cả %3, %4; chỉ %5 được tính là qua tài khoản ngân hàng. Đã xét từ %6 đến %7.</source>
        <translation>Limit: one customer&apos;s transactions totalling %1 or more in one day (%2), counting %3, paid by %4; only %5 counts as through a bank account. Checked from %6 to %7.</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="186"/>
        <source>Hạn mức: tổng giao dịch trên %1 của một khách trong một ngày (%2), tính cả %3, %4; chỉ %5 được tính là qua tài khoản ngân hàng. Đã xét từ %6 đến %7.</source>
        <translation>Limit: one customer&apos;s transactions totalling more than %1 in one day (%2), counting %3, paid by %4; only %5 counts as through a bank account. Checked from %6 to %7.</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="195"/>
        <source>Bỏ qua: chưa cài gói quy định về thanh toán qua tài khoản ngân hàng (Nghị định 232/2025/NĐ-CP)</source>
        <translation>Skipped: the regulation pack on payment through bank accounts (Decree 232/2025/NĐ-CP) is not installed</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="200"/>
        <source>Bỏ qua: quy định thanh toán qua tài khoản ngân hàng có hiệu lực từ %1</source>
        <translation>Skipped: the rule on payment through bank accounts takes effect on %1</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="217"/>
        <source>Không có khách nào giao dịch từ %1 trong một ngày mà thanh toán không qua tài khoản ngân hàng</source>
        <translation>No customer traded %1 or more in one day with payment not through a bank account</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="220"/>
        <source>Không có khách nào giao dịch trên %1 trong một ngày mà thanh toán không qua tài khoản ngân hàng</source>
        <translation>No customer traded more than %1 in one day with payment not through a bank account</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="228"/>
        <source>... và %1 trường hợp khác</source>
        <translation>... and %1 more</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="231"/>
        <source>và %1 trường hợp khác</source>
        <translation>and %1 more</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="233"/>
        <source>%1 trường hợp khách giao dịch từ %2 trong một ngày có phần thanh toán không qua tài khoản ngân hàng: %3</source>
        <translation>Cases of a customer trading %2 or more in one day with part of the payment not through a bank account: %1 — %3</translation>
    </message>
    <message>
        <location filename="../../app/updates/compliance.py" line="236"/>
        <source>%1 trường hợp khách giao dịch trên %2 trong một ngày có phần thanh toán không qua tài khoản ngân hàng: %3</source>
        <translation>Cases of a customer trading more than %2 in one day with part of the payment not through a bank account: %1 — %3</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="18"/>
        <source>Gia hạn hợp đồng bảo trì để tiếp tục được hỗ trợ ưu tiên: vào mục “Bảo hành &amp; bảo trì”, bấm “Đề nghị gia hạn…”, hoặc gọi %1.</source>
        <translation>Renew the maintenance contract to keep priority support: open “Warranty &amp; maintenance”, press “Ask to renew…”, or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="23"/>
        <source>Chưa có hợp đồng: bấm “Tải lại hợp đồng” trong mục “Bảo hành &amp; bảo trì”, hoặc “Nhập hợp đồng từ tệp” nếu máy không có Internet.</source>
        <translation>No contract yet: press “Reload the contract” in “Warranty &amp; maintenance”, or “Import contract from file” if this PC has no Internet.</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="33"/>
        <source>Chưa có hợp đồng bảo hành/bảo trì đã ký</source>
        <translation>No signed warranty/maintenance contract yet</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="38"/>
        <source>Chưa nghiệm thu: bảo hành %1 tháng bắt đầu từ ngày %2</source>
        <translation>Not yet accepted: the %1-month warranty begins on %2</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="42"/>
        <source>Đã hết hạn bảo hành và bảo trì</source>
        <translation>Warranty and maintenance have ended</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="47"/>
        <source>Bảo hành đến hết %1, bảo trì nối tiếp; được hỗ trợ còn %2 ngày (đến hết %3)</source>
        <translation>Warranty through %1, then maintenance; support days left: %2 (covered through %3)</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="51"/>
        <source>Bảo hành còn %1 ngày (đến hết %2)</source>
        <translation>Warranty days left: %1 (covered through %2)</translation>
    </message>
    <message>
        <location filename="../../app/warranty/check.py" line="54"/>
        <source>Bảo trì còn %1 ngày (đến hết %2)</source>
        <translation>Maintenance days left: %1 (covered through %2)</translation>
    </message>
</context>
<context>
    <name>HealthPage</name>
    <message>
        <location filename="../../app/ui/health/page.py" line="56"/>
        <source>Kiểm tra hệ thống</source>
        <translation>System checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="66"/>
        <source>Kiểm tra ngay</source>
        <translation>Check now</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="68"/>
        <source>Dừng</source>
        <translation>Stop</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="75"/>
        <source>Lưu báo cáo PDF…</source>
        <translation>Save PDF report…</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="76"/>
        <source>Gửi kèm yêu cầu hỗ trợ</source>
        <translation>Send with a support request</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="89"/>
        <source>Kiểm tra</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="89"/>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="89"/>
        <source>Chi tiết</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="123"/>
        <source>Bấm “Kiểm tra ngay” để kiểm tra máy bán hàng trong vài giây.</source>
        <translation>Press “Check now” to check the till in a few seconds.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="135"/>
        <source>Đang kiểm tra hệ thống…</source>
        <translation>Checking the system…</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="159"/>
        <source>Đã dừng kiểm tra; kết quả lần này không được lưu.</source>
        <translation>The check was stopped; this run&apos;s results were not saved.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="164"/>
        <source>Không chạy được kiểm tra: %1.</source>
        <translation>The checks could not run: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="269"/>
        <source>Chọn một mục kiểm tra để xem chi tiết và cách khắc phục.</source>
        <translation>Choose a check to see its details and how to fix it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="288"/>
        <source>Bấm “Kiểm tra ngay” để kiểm tra lại và xem cách khắc phục.</source>
        <translation>Press “Check now” to check again and see how to fix it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="308"/>
        <source>Không lưu được báo cáo: %1.</source>
        <translation>The report could not be saved: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="179"/>
        <source>Kết quả lần kiểm tra lúc %1: %2 đạt, %3 cảnh báo, %4 nghiêm trọng, %5 bỏ qua. Bấm “Kiểm tra ngay” để kiểm tra lại và xem cách khắc phục.</source>
        <translation>Results of the check at %1 – passed: %2, warnings: %3, critical: %4, skipped: %5. Press “Check now” to check again and see how to fix them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="182"/>
        <source>Lúc %1: %2 đạt, %3 cảnh báo, %4 nghiêm trọng, %5 bỏ qua.</source>
        <translation>At %1 – passed: %2, warnings: %3, critical: %4, skipped: %5.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="191"/>
        <source>Kết quả lần này chưa được lưu vào lịch sử: %1.</source>
        <translation>These results were not saved to the history: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="248"/>
        <source>Tình trạng này từ %1</source>
        <translation>In this state since %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="285"/>
        <source>Cách khắc phục</source>
        <translation>How to fix</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="294"/>
        <source>Lưu báo cáo kiểm tra</source>
        <translation>Save the check report</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="306"/>
        <source>Đã lưu báo cáo: %1</source>
        <translation>Report saved: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/page.py" line="309"/>
        <source>Đang tạo báo cáo PDF…</source>
        <translation>Creating the PDF report…</translation>
    </message>
</context>
<context>
    <name>HealthReport</name>
    <message>
        <location filename="../../app/health/report_pdf.py" line="84"/>
        <source>%1 – mã %2</source>
        <translation>%1 – code %2</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="87"/>
        <source>BÁO CÁO KIỂM TRA HỆ THỐNG</source>
        <translation>SYSTEM CHECK REPORT</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="90"/>
        <source>Thời điểm kiểm tra: %1</source>
        <translation>Checked at: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="97"/>
        <source>Nhóm</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="97"/>
        <source>Kiểm tra</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="97"/>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="98"/>
        <location filename="../../app/health/report_pdf.py" line="119"/>
        <source>Chi tiết</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="128"/>
        <source>… và %1 dòng khác</source>
        <translation>… and more lines not shown: %1</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="133"/>
        <source>Cách khắc phục</source>
        <translation>How to fix</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="139"/>
        <source>Cần hỗ trợ: gọi đường dây nóng %1 (24/7). Báo cáo tạo bởi %2 %3.</source>
        <translation>Need help? Call the hotline %1 (24/7). Report made by %2 %3.</translation>
    </message>
    <message>
        <location filename="../../app/health/report_pdf.py" line="144"/>
        <source>Báo cáo kiểm tra hệ thống</source>
        <translation>System check report</translation>
    </message>
</context>
<context>
    <name>HealthTexts</name>
    <message>
        <location filename="../../app/ui/health/texts.py" line="14"/>
        <location filename="../../app/health/report_pdf.py" line="35"/>
        <source>Đạt</source>
        <translation>Passed</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="15"/>
        <location filename="../../app/health/report_pdf.py" line="36"/>
        <source>Cảnh báo</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="16"/>
        <location filename="../../app/health/report_pdf.py" line="37"/>
        <source>Nghiêm trọng</source>
        <translation>Critical</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="17"/>
        <location filename="../../app/health/report_pdf.py" line="38"/>
        <source>Không rõ</source>
        <translation>Unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="18"/>
        <location filename="../../app/health/report_pdf.py" line="39"/>
        <source>Bỏ qua</source>
        <translation>Skipped</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="24"/>
        <source>Chưa kiểm tra</source>
        <translation>Not checked yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="26"/>
        <location filename="../../app/health/report_pdf.py" line="32"/>
        <source>Cần xử lý ngay</source>
        <translation>Needs attention now</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="28"/>
        <location filename="../../app/health/report_pdf.py" line="31"/>
        <source>Có cảnh báo</source>
        <translation>Warnings</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="29"/>
        <location filename="../../app/health/report_pdf.py" line="30"/>
        <source>Sẵn sàng bán hàng</source>
        <translation>Ready to trade</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="33"/>
        <location filename="../../app/health/report_pdf.py" line="49"/>
        <source>Cơ sở dữ liệu</source>
        <translation>Database</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="34"/>
        <location filename="../../app/health/report_pdf.py" line="50"/>
        <source>Sao lưu</source>
        <translation>Backups</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="35"/>
        <location filename="../../app/health/report_pdf.py" line="51"/>
        <source>Dữ liệu bán hàng</source>
        <translation>Trading data</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="36"/>
        <location filename="../../app/health/report_pdf.py" line="52"/>
        <source>Máy tính</source>
        <translation>Computer</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="37"/>
        <location filename="../../app/health/report_pdf.py" line="53"/>
        <source>Thiết bị</source>
        <translation>Devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="38"/>
        <location filename="../../app/health/report_pdf.py" line="54"/>
        <source>Dịch vụ hỗ trợ</source>
        <translation>Support services</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="59"/>
        <source>Tệp cấu hình</source>
        <translation>Settings file</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="60"/>
        <source>Kết nối cơ sở dữ liệu PMV</source>
        <translation>PMV database connection</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="61"/>
        <source>Tính toàn vẹn dữ liệu PMV</source>
        <translation>PMV data integrity</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="62"/>
        <source>Sao lưu dữ liệu</source>
        <translation>Data backups</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="63"/>
        <source>Bản sao lưu khôi phục được</source>
        <translation>Backup can be restored</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="64"/>
        <source>Bảng giá vàng</source>
        <translation>Gold price board</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="65"/>
        <source>Số hóa đơn liên tục</source>
        <translation>Invoice numbering</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="66"/>
        <source>Lỗi trong nhật ký PMV</source>
        <translation>Errors in the PMV log</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="67"/>
        <source>Dung lượng ổ đĩa</source>
        <translation>Disk space</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="68"/>
        <source>Đồng hồ máy tính</source>
        <translation>Computer clock</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="69"/>
        <source>Bộ nhớ và CPU</source>
        <translation>Memory and CPU</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="70"/>
        <source>Phần mềm PMV đang chạy</source>
        <translation>PMV software running</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="71"/>
        <source>Máy in</source>
        <translation>Printers</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="72"/>
        <source>Cổng máy quét</source>
        <translation>Scanner ports</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="73"/>
        <source>Máy chủ hỗ trợ</source>
        <translation>Support server</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="74"/>
        <source>Phiên bản phần mềm</source>
        <translation>Software versions</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="75"/>
        <source>Yêu cầu hỗ trợ chưa gửi được</source>
        <translation>Support requests not yet sent</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="76"/>
        <source>Bảo hành / bảo trì sắp hết hạn</source>
        <translation>Warranty / maintenance ending</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="77"/>
        <source>Thanh toán không qua tài khoản ngân hàng (Nghị định 232)</source>
        <translation>Payments not through a bank account (Decree 232)</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/texts.py" line="79"/>
        <source>Gói quy định được cập nhật</source>
        <translation>Regulation packs up to date</translation>
    </message>
</context>
<context>
    <name>HealthTile</name>
    <message>
        <location filename="../../app/ui/health/tile.py" line="46"/>
        <source>Kiểm tra hệ thống</source>
        <translation>System checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/tile.py" line="47"/>
        <source>Đang chờ lần kiểm tra đầu tiên…</source>
        <translation>Waiting for the first check…</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/tile.py" line="68"/>
        <source>Kết quả lần kiểm tra lúc %1</source>
        <translation>Results of the check at %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/tile.py" line="68"/>
        <source>Kiểm tra lúc %1</source>
        <translation>Checked at %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/tile.py" line="72"/>
        <source>Mọi mục đều đạt.</source>
        <translation>Everything passed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/health/tile.py" line="74"/>
        <source>Mọi mục đều đạt (kiểm tra lúc %1).</source>
        <translation>Everything passed (checked at %1).</translation>
    </message>
</context>
<context>
    <name>HeartbeatPreviewDialog</name>
    <message>
        <location filename="../../app/ui/fleet/preview.py" line="17"/>
        <source>Dữ liệu gửi cho nhà cung cấp</source>
        <translation>Data sent to the vendor</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/preview.py" line="25"/>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>LivingDemo</name>
    <message>
        <location filename="../../app/ui/pages/living_demo.py" line="35"/>
        <source>Đang cài gói quy định cho cửa hàng mẫu…</source>
        <translation>Installing the regulation pack for the demo shop…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/living_demo.py" line="41"/>
        <source>Đang kiểm tra hệ thống…</source>
        <translation>Checking the system…</translation>
    </message>
</context>
<context>
    <name>LogsTab</name>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="29"/>
        <source>Tìm (không phân biệt hoa thường), ví dụ: ERROR, máy in, 1C26TVG</source>
        <translation>Search (case-insensitive), e.g. ERROR, máy in, 1C26TVG</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="31"/>
        <source>Tìm</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="32"/>
        <source>Làm mới danh sách</source>
        <translation>Refresh list</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="54"/>
        <source>Ứng dụng</source>
        <translation>App</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="54"/>
        <source>Phần mềm bán hàng</source>
        <translation>POS software</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="59"/>
        <source>Không tìm thấy tệp nhật ký nào.</source>
        <translation>No log files found.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/technician/logs_tab.py" line="87"/>
        <source>%1 dòng</source>
        <translation>
            <numerusform>%1 line</numerusform>
            <numerusform>%1 lines</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="89"/>
        <source>chỉ đọc phần cuối của tệp</source>
        <translation>only the end of the file was read</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/logs_tab.py" line="93"/>
        <source>Không đọc được nhật ký: %1</source>
        <translation>Could not read the log: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="115"/>
        <source>Tổng quan</source>
        <translation>Overview</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="116"/>
        <source>Kiểm tra hệ thống</source>
        <translation>System checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="117"/>
        <source>Yêu cầu hỗ trợ</source>
        <translation>Support requests</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="118"/>
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="119"/>
        <source>Thiết bị mã vạch</source>
        <translation>Barcode devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="120"/>
        <source>Cập nhật</source>
        <translation>Updates</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="125"/>
        <location filename="../../app/ui/main_window.py" line="332"/>
        <source>%1 (%2 mới)</source>
        <translation>%1 (%2 new)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="130"/>
        <source>Đang mở dữ liệu của cửa hàng…</source>
        <translation>Opening the shop’s data…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="272"/>
        <source>&amp;Tệp</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="273"/>
        <source>Thiết lập lại…</source>
        <translation>Set up again…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="277"/>
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="281"/>
        <source>&amp;Ngôn ngữ</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="290"/>
        <source>Trợ &amp;giúp</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="291"/>
        <source>Mở thư mục nhật ký</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="293"/>
        <source>Nhờ hỗ trợ từ xa…</source>
        <translation>Remote assistance…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="296"/>
        <source>Chế độ kỹ thuật viên…</source>
        <translation>Technician mode…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="299"/>
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="312"/>
        <source>Đường dây nóng 24/7: %1</source>
        <translation>24/7 hotline: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="418"/>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="256"/>
        <source>Sẵn sàng</source>
        <translation>Ready</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="318"/>
        <source>Đang khởi động…</source>
        <translation>Starting…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="373"/>
        <source>Cần hỗ trợ từ xa</source>
        <translation>Remote help needed</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="410"/>
        <source>Gia hạn hợp đồng bảo trì</source>
        <translation>Renew the maintenance contract</translation>
    </message>
</context>
<context>
    <name>MaintenanceTab</name>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="34"/>
        <source>Cơ sở dữ liệu của ứng dụng</source>
        <translation>The app&apos;s database</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="35"/>
        <source>Kiểm tra toàn vẹn</source>
        <translation>Integrity check</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="36"/>
        <source>Thu gọn (VACUUM)</source>
        <translation>Compact (VACUUM)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="39"/>
        <source>Cập nhật</source>
        <translation>Updates</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="40"/>
        <source>Cập nhật ngay</source>
        <translation>Update now</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="42"/>
        <source>Không có gói nào có bản trước để quay lại</source>
        <translation>No pack has a previous version to go back to</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="43"/>
        <source>Quay lại bản trước</source>
        <translation>Roll back</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="46"/>
        <source>Gói chẩn đoán (kèm nhật ký kỹ thuật viên)</source>
        <translation>Diagnostics bundle (with the technician log)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="47"/>
        <source>Xuất gói chẩn đoán…</source>
        <translation>Export diagnostics bundle…</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="65"/>
        <source>Cơ sở dữ liệu nguyên vẹn (%1 ms).</source>
        <translation>The database is intact (%1 ms).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="68"/>
        <source>Cơ sở dữ liệu có lỗi:</source>
        <translation>The database has errors:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="80"/>
        <source>Đã thu gọn: %1 → %2.</source>
        <translation>Compacted: %1 → %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="98"/>
        <source>Đang cập nhật…</source>
        <translation>Updating…</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="111"/>
        <source>Đã kiểm tra cập nhật; gói mới cài: %1</source>
        <translation>Updates checked; new packs installed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="124"/>
        <source>Đã quay lại %1 bản %2.</source>
        <translation>Rolled %1 back to version %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="131"/>
        <source>Lưu gói chẩn đoán</source>
        <translation>Save diagnostics bundle</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="140"/>
        <source>Đang tạo gói chẩn đoán…</source>
        <translation>Making the diagnostics bundle…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/technician/maintenance_tab.py" line="145"/>
        <source>Đã lưu %1 (đã che %2 thông tin riêng tư).</source>
        <translation>
            <numerusform>Saved %1 (%2 private item hidden).</numerusform>
            <numerusform>Saved %1 (%2 private items hidden).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/maintenance_tab.py" line="151"/>
        <source>Không thực hiện được: %1</source>
        <translation>Could not do it: %1</translation>
    </message>
</context>
<context>
    <name>Notices</name>
    <message>
        <location filename="../../app/ui/notices.py" line="32"/>
        <source>Bảo hành/bảo trì sắp hết hạn</source>
        <translation>Warranty/maintenance ending soon</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="34"/>
        <source>Hôm nay là ngày cuối cửa hàng được hỗ trợ. Hãy gia hạn bảo trì hoặc gọi %1.</source>
        <translation>Today is the last day of the shop&apos;s support coverage. Renew maintenance or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="37"/>
        <source>Ngày mai cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì hoặc gọi %1.</source>
        <translation>The shop&apos;s support coverage ends tomorrow. Renew maintenance or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="39"/>
        <source>Còn %1 ngày nữa cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì.</source>
        <translation>The shop&apos;s support coverage ends in %1 days. Please renew maintenance.</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="45"/>
        <source>Có bản phần mềm mới</source>
        <translation>New app version available</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="68"/>
        <source>Nhà cung cấp đã phát hiện và mở yêu cầu %1</source>
        <translation>The vendor detected a problem and opened request %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="96"/>
        <source>Dữ liệu của ứng dụng đã được tạo mới</source>
        <translation>The app&apos;s data was started afresh</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="101"/>
        <source>Bộ phận hỗ trợ trả lời yêu cầu %1</source>
        <translation>The support team answered request %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="102"/>
        <source>Mở phần mềm để xem chi tiết.</source>
        <translation>Open the app to see the details.</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="110"/>
        <source>Kỹ thuật viên sắp đến (khoảng 1 giờ nữa)</source>
        <translation>The technician arrives soon (in about an hour)</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="112"/>
        <source>Ngày mai kỹ thuật viên đến cửa hàng</source>
        <translation>The technician comes to the shop tomorrow</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="113"/>
        <source>Yêu cầu %1: %2</source>
        <translation>Request %1: %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="44"/>
        <source>Bản %1 sẽ được cài khi mở lại phần mềm hoặc ngoài giờ giao dịch.</source>
        <translation>Version %1 will be installed when the app is next opened or outside trading hours.</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="51"/>
        <source>Đã cài gói quy định mới</source>
        <translation>A new regulation pack was installed</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="50"/>
        <source>%1 phiên bản %2</source>
        <translation>%1 version %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="56"/>
        <source>Máy bán hàng cần xử lý ngay</source>
        <translation>The till needs attention now</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="55"/>
        <source>Kiểm tra hệ thống phát hiện lỗi nghiêm trọng: %1</source>
        <translation>The system check found critical problems: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="78"/>
        <source>Đã có phương án cho yêu cầu %1</source>
        <translation>A solution is proposed for request %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="79"/>
        <source>Đã hẹn kỹ thuật viên đến cho yêu cầu %1</source>
        <translation>A technician visit is scheduled for request %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="80"/>
        <source>Yêu cầu %1 đã được giải quyết</source>
        <translation>Request %1 has been resolved</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="220"/>
        <source>Hôm nay: %1</source>
        <translation>Today: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="87"/>
        <source>Cửa hàng</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="90"/>
        <source>Mã cửa hàng: %1</source>
        <translation>Shop ID: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="93"/>
        <source>Đường dây nóng 24/7</source>
        <translation>24/7 hotline</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="95"/>
        <source>Luôn có kỹ thuật viên trực, kể cả cuối tuần và ngày lễ.</source>
        <translation>A technician is always on duty, weekends and public holidays included.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="98"/>
        <source>Phiên bản</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="99"/>
        <source>Phần mềm vàng PMV: đang đọc…</source>
        <translation>PMV gold software: reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="101"/>
        <source>Bảng giá vàng (₫/chỉ)</source>
        <translation>Gold price board (₫/chỉ)</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="102"/>
        <source>Loại vàng</source>
        <translation>Gold type</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="102"/>
        <source>Mua vào</source>
        <translation>Buy</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="102"/>
        <source>Bán ra</source>
        <translation>Sell</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="106"/>
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="108"/>
        <source>Hoạt động gần đây</source>
        <translation>Recent activity</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="231"/>
        <source>Chưa cấu hình</source>
        <translation>Not configured</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="232"/>
        <source>Chưa khai báo cơ sở dữ liệu của phần mềm vàng PMV trong tệp cấu hình.</source>
        <translation>The PMV gold software database is not set in the settings file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="234"/>
        <source>Phần mềm vàng PMV: chưa cấu hình</source>
        <translation>PMV gold software: not configured</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="239"/>
        <source>Không đọc được cơ sở dữ liệu PMV. Bấm “Kiểm tra ngay” ở mục Kiểm tra hệ thống để xem nguyên nhân và cách khắc phục.</source>
        <translation>The PMV database cannot be read. Press “Check now” under System checks to see why and how to fix it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="250"/>
        <source>Chuỗi kết nối tới dữ liệu PMV (pos.url trong tệp cấu hình) chưa dùng được. Mục Kiểm tra hệ thống ghi rõ cần sửa gì; cần giúp hãy gọi %1.</source>
        <translation>The connection string to the PMV data (pos.url in the settings file) cannot be used yet. The System checks page says what to change; for help call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="254"/>
        <source>Không đọc được</source>
        <translation>Cannot read</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="255"/>
        <source>Phần mềm vàng PMV: không rõ</source>
        <translation>PMV gold software: unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="258"/>
        <source>không rõ</source>
        <translation>unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="259"/>
        <source>Phần mềm vàng PMV: %1</source>
        <translation>PMV gold software: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="290"/>
        <source>Cập nhật lúc %1</source>
        <translation>Updated at %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="277"/>
        <source>Chưa có giá</source>
        <translation>No prices yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="300"/>
        <source>Chưa có hoạt động nào.</source>
        <translation>No activity yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="13"/>
        <source>Khởi động ứng dụng (phiên bản %1)</source>
        <translation>App started (version %1)</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="14"/>
        <source>Ghi yêu cầu hỗ trợ “%1”</source>
        <translation>Support request saved: “%1”</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="15"/>
        <source>Gửi yêu cầu %1 tới nhà cung cấp</source>
        <translation>Request %1 sent to the vendor</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="16"/>
        <source>Cài gói quy định “%1” (phiên bản %2)</source>
        <translation>Regulation pack “%1” installed (version %2)</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="17"/>
        <source>Quay gói quy định “%1” về phiên bản %2</source>
        <translation>Regulation pack “%1” rolled back to version %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="18"/>
        <source>Tải xong bản phần mềm %1, chờ cài</source>
        <translation>App version %1 downloaded, waiting to be installed</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="35"/>
        <source>Kiểm tra hệ thống: %1</source>
        <translation>System check: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/texts.py" line="38"/>
        <source>Hoạt động khác (%1)</source>
        <translation>Other activity (%1)</translation>
    </message>
</context>
<context>
    <name>PosPage</name>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="81"/>
        <source>Bước 1/4 · Tìm phần mềm bán vàng PMV</source>
        <translation>Step 1/4 · Find the PMV gold-trading software</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="82"/>
        <source>Ứng dụng tìm nơi cài PMV trên máy này. Kiểm tra các đường dẫn, sửa nếu cần bằng nút Chọn…, rồi bấm Tiếp.</source>
        <translation>The app looks for where PMV is installed on this PC. Check the paths, correct them with Choose… if needed, then press Next.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="92"/>
        <source>Tìm lại</source>
        <translation>Search again</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="108"/>
        <source>Tìm thấy</source>
        <translation>Found</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="110"/>
        <source>Thư mục cài PMV</source>
        <translation>PMV install folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="111"/>
        <source>Tệp dữ liệu bán hàng</source>
        <translation>Sales database file</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="112"/>
        <source>Thư mục sao lưu</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="113"/>
        <source>Thư mục nhật ký</source>
        <translation>Log folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="135"/>
        <source>Đang tìm PMV trên máy này…</source>
        <translation>Looking for PMV on this PC…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="137"/>
        <source>Tìm phần mềm PMV</source>
        <translation>Find PMV</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="146"/>
        <source>Tôi tự chọn đường dẫn…</source>
        <translation>I will choose the paths…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="149"/>
        <source>Không tìm thấy PMV ở các nơi thường cài. Bấm Chọn… để chỉ thư mục cài PMV.</source>
        <translation>PMV was not found where it is usually installed. Press Choose… to point at the PMV install folder.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="161"/>
        <source>Không tìm được PMV: %1</source>
        <translation>PMV could not be searched for: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="174"/>
        <source>PMV dùng máy chủ cơ sở dữ liệu (kết nối đọc từ cấu hình của PMV).</source>
        <translation>PMV uses a database server (the connection is read from PMV&apos;s configuration).</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="190"/>
        <source>Thư mục này không phải nơi cài PMV (không có PMV.ini hay version.txt). Chọn thư mục có tệp PMV.exe.</source>
        <translation>This folder is not a PMV install (no PMV.ini or version.txt). Choose the folder that holds PMV.exe.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="214"/>
        <source>Đang mở thử dữ liệu bán hàng (chỉ đọc)…</source>
        <translation>Opening the sales database to try it (read-only)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="217"/>
        <source>Mở thử dữ liệu PMV</source>
        <translation>Try the PMV database</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="224"/>
        <source>chưa có</source>
        <translation>none yet</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/setup/pos_page.py" line="227"/>
        <source>Mở được dữ liệu PMV %1: %2 hóa đơn, hóa đơn mới nhất ngày %3.</source>
        <translation>
            <numerusform>The PMV %1 database opens: %2 invoice, the newest on %3.</numerusform>
            <numerusform>The PMV %1 database opens: %2 invoices, the newest on %3.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="229"/>
        <source>(không rõ phiên bản)</source>
        <translation>(version unknown)</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="233"/>
        <source>Không mở được dữ liệu PMV: %1</source>
        <translation>The PMV database cannot be opened: %1</translation>
    </message>
</context>
<context>
    <name>PrinterTab</name>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="67"/>
        <source>(nhập tay)</source>
        <translation>(enter by hand)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="91"/>
        <source>Máy in</source>
        <translation>Printer</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="92"/>
        <source>Ngôn ngữ máy in</source>
        <translation>Printer language</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="93"/>
        <source>Độ phân giải</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="94"/>
        <source>Mẫu tem</source>
        <translation>Tag template</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="95"/>
        <source>Địa chỉ máy in</source>
        <translation>Printer address</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="96"/>
        <location filename="../../app/ui/devices/texts.py" line="121"/>
        <source>Mã hàng (mã vạch)</source>
        <translation>Item code (barcode)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="97"/>
        <location filename="../../app/ui/devices/texts.py" line="122"/>
        <source>Tên hàng</source>
        <translation>Product name</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="98"/>
        <source>Máy in và tem thử</source>
        <translation>Printer and test tag</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="110"/>
        <source>Xem trước đúng như khi in</source>
        <translation>Preview, exactly as printed</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="113"/>
        <source>In tem thử</source>
        <translation>Print test tag</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="117"/>
        <source> tem</source>
        <translation> tags</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="118"/>
        <source>Số tem của loạt: mã hàng tăng dần từ mã đã nhập.</source>
        <translation>Tags in the run: item codes count up from the code entered.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="119"/>
        <source>In loạt tem</source>
        <translation>Print a run</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="120"/>
        <source>In liền một loạt tem như khi nhập hàng, để xem máy in có giữ tem thẳng hàng đến tem cuối không.</source>
        <translation>Print a run of tags in one go, as after a delivery, to see whether the printer keeps the tags in line up to the last one.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="123"/>
        <source>Kiểm tra trạng thái</source>
        <translation>Check status</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="125"/>
        <source>Hiệu chỉnh cảm biến</source>
        <translation>Calibrate sensor</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="152"/>
        <source>Máy in qua hàng đợi in của Windows (hoặc in ra tệp) không báo được trạng thái: hãy in tem thử để kiểm tra máy in.</source>
        <translation>A printer reached through the Windows print queue (or printing to a file) cannot report its status: print a test tag to check the printer.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="352"/>
        <source>Máy in trả lời không đúng dạng – kiểm tra ngôn ngữ máy in đã chọn (ZPL, TSPL hay EZPL) có đúng với máy in không.</source>
        <translation>The printer&apos;s answer is not in the expected form – check that the printer language chosen (ZPL, TSPL or EZPL) is the printer&apos;s.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="123"/>
        <source>Giá trị không hợp lệ: %1</source>
        <translation>Invalid value: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="210"/>
        <source>Mã vạch đọc lại đúng %1: tem in ra sẽ quét được.</source>
        <translation>The barcode decodes back to %1: the printed tag will scan.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="220"/>
        <source>Nhập địa chỉ máy in trước (ví dụ tcp://192.168.1.50:9100).</source>
        <translation>Enter the printer&apos;s address first (e.g. tcp://192.168.1.50:9100).</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="247"/>
        <source>Đang gửi tem thử…</source>
        <translation>Sending the test tag…</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="249"/>
        <source>Đã gửi tem thử (%1 byte). Quét mã trên tem để chắc chắn.</source>
        <translation>Test tag sent (%1 bytes). Scan the printed tag to be sure.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="262"/>
        <source>đang gửi tới máy in</source>
        <translation>sending to the printer</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/devices/printer_tab.py" line="279"/>
        <source>Đang in loạt %1 tem…</source>
        <translation>
            <numerusform>Printing a run of %1 tag…</numerusform>
            <numerusform>Printing a run of %1 tags…</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="291"/>
        <source>Loạt tem đã được gửi tới máy in trước khi hủy: máy in sẽ in hết. Tắt máy in nếu cần dừng ngay.</source>
        <translation>The run had already been sent to the printer before the cancel: it will print all of it. Switch the printer off to stop it now.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="294"/>
        <source>Đã hủy in loạt tem: chưa gửi gì tới máy in.</source>
        <translation>Run cancelled: nothing was sent to the printer.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/devices/printer_tab.py" line="309"/>
        <source>Đã gửi %1 tem (mã %2 đến %3) trong %4 giây. Quét tem đầu và tem cuối, và xem tem cuối còn thẳng hàng không: lệch dần là cảm biến khe giấy cần hiệu chỉnh.</source>
        <translation>
            <numerusform>Sent %1 tag (codes %2 to %3) in %4 seconds. Scan the first and the last tag and check the last one is still in line: a growing drift means the gap sensor needs calibrating.</numerusform>
            <numerusform>Sent %1 tags (codes %2 to %3) in %4 seconds. Scan the first and the last tag and check the last one is still in line: a growing drift means the gap sensor needs calibrating.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="116"/>
        <source>Để in loạt, mã hàng phải kết thúc bằng số (ví dụ 75000001): các tem được đánh số tăng dần.</source>
        <translation>To print a run, the item code must end in a number (for example 75000001): the tags are numbered upwards.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/texts.py" line="119"/>
        <source>Mã hàng của tem cuối loạt quá dài: hãy in ít tem hơn hoặc dùng mã ngắn hơn.</source>
        <translation>The last tag&apos;s item code would be too long: print fewer tags or use a shorter code.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="322"/>
        <source>Đang hỏi trạng thái máy in…</source>
        <translation>Asking the printer for its status…</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="326"/>
        <source>Máy in sẵn sàng.</source>
        <translation>The printer is ready.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="329"/>
        <source>Máy in báo lỗi: %1</source>
        <translation>The printer reports: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="338"/>
        <source>Đã gửi lệnh hiệu chỉnh: máy in sẽ đẩy vài tem trắng để đo khe giấy.</source>
        <translation>Calibration sent: the printer will feed a few blank labels to measure the gap.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/printer_tab.py" line="345"/>
        <source>Không dựng được loạt tem (tiến trình phụ dừng bất ngờ). Hãy thử lại; nếu vẫn lỗi, khởi động lại ứng dụng rồi gọi %1.</source>
        <translation>Could not prepare the run of tags (the helper process stopped unexpectedly). Try again; if it happens again, restart the app and call %1.</translation>
    </message>
</context>
<context>
    <name>ProfileTab</name>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="33"/>
        <source>Sao lưu cấu hình cửa hàng (để cài lại trên máy mới)</source>
        <translation>Back up the shop&apos;s setup (to reinstall on a new PC)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="34"/>
        <source>Kèm mã cửa hàng và mật khẩu (được mã hóa bằng cụm mật khẩu)</source>
        <translation>Include the shop token and passwords (encrypted with a passphrase)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="37"/>
        <source>Cụm mật khẩu, ít nhất 8 ký tự</source>
        <translation>Passphrase, at least 8 characters</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="40"/>
        <source>Gõ lại cụm mật khẩu</source>
        <translation>Type the passphrase again</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="41"/>
        <source>Sao lưu…</source>
        <translation>Back up…</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="44"/>
        <source>Cụm mật khẩu:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="45"/>
        <source>Nhập lại:</source>
        <translation>Again:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="50"/>
        <source>Khôi phục từ bản sao lưu</source>
        <translation>Restore from a backup</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="51"/>
        <source>Chọn tệp sao lưu…</source>
        <translation>Choose backup file…</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="55"/>
        <source>Cụm mật khẩu của bản sao lưu (nếu có phần bí mật)</source>
        <translation>The backup&apos;s passphrase (if it has secrets)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="57"/>
        <source>Cho phép ghi đè những gì đang có trên máy này</source>
        <translation>Allow replacing what this PC has now</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="58"/>
        <source>Khôi phục</source>
        <translation>Restore</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="76"/>
        <source>Hai lần gõ cụm mật khẩu không khớp.</source>
        <translation>The two passphrases do not match.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="81"/>
        <source>Lưu bản sao lưu</source>
        <translation>Save backup</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="97"/>
        <source>Đã sao lưu vào %1.</source>
        <translation>Backed up to %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="104"/>
        <source>Chọn bản sao lưu</source>
        <translation>Choose a backup</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="136"/>
        <source>Cửa hàng</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="137"/>
        <source>Cài đặt</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="138"/>
        <source>Hợp đồng</source>
        <translation>Contract</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="139"/>
        <source>Mã cửa hàng</source>
        <translation>Shop token</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="141"/>
        <source>Gói %1</source>
        <translation>Pack %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="147"/>
        <source>Máy này đang cài cho cửa hàng %1.</source>
        <translation>This PC is set up for shop %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="150"/>
        <source>Chưa có trên máy này (chép dữ liệu bán hàng và bản sao lưu về đúng chỗ):</source>
        <translation>Not on this PC yet (copy the POS data and backups to these places):</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="153"/>
        <source>Cần gõ lại sau khi khôi phục: %1</source>
        <translation>Type these again after restoring: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="178"/>
        <source>Đã khôi phục cấu hình của %1. Hãy mở lại phần mềm để dùng cài đặt mới.</source>
        <translation>Restored the setup of %1. Reopen the app to use the new settings.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="181"/>
        <source>Bản cũ của máy này được giữ lại: %1</source>
        <translation>This PC&apos;s previous copy is kept: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/profile_tab.py" line="195"/>
        <source>Không thực hiện được: %1</source>
        <translation>Could not do it: %1</translation>
    </message>
</context>
<context>
    <name>ProfileTexts</name>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="93"/>
        <source>Không mở được tệp.</source>
        <translation>The file cannot be opened.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="94"/>
        <source>Tệp này không phải bản sao lưu của PMV Support Assistant.</source>
        <translation>This file is not a PMV Support Assistant backup.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="96"/>
        <source>Tệp sao lưu bị hỏng (chép thiếu hoặc lỗi ổ đĩa). Hãy chép lại.</source>
        <translation>The backup file is damaged (incomplete copy or disk error). Copy it again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="98"/>
        <source>Tệp quá lớn để là một bản sao lưu.</source>
        <translation>The file is too large to be a backup.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="99"/>
        <source>Tệp sao lưu chứa đường dẫn không an toàn: đã từ chối.</source>
        <translation>The backup contains unsafe paths: refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="101"/>
        <source>Mục lục của bản sao lưu không hợp lệ.</source>
        <translation>The backup&apos;s table of contents is not valid.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="102"/>
        <source>Bản sao lưu do phiên bản mới hơn tạo: hãy cập nhật phần mềm trước.</source>
        <translation>The backup was made by a newer version: update the app first.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="104"/>
        <source>Bản sao lưu thiếu một phần.</source>
        <translation>A part of the backup is missing.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="105"/>
        <source>Bản sao lưu có phần lạ không có trong mục lục.</source>
        <translation>The backup has a part that is not in its table of contents.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="106"/>
        <source>Một phần của bản sao lưu đã bị sửa sau khi tạo: đã từ chối.</source>
        <translation>A part of the backup was changed after it was made: refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="108"/>
        <source>Tệp cài đặt không đọc được (không phải TOML hợp lệ).</source>
        <translation>The settings file cannot be read (not valid TOML).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="110"/>
        <source>Một gói quy định trong bản sao lưu không hợp lệ.</source>
        <translation>A regulation pack in the backup is not valid.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="111"/>
        <source>Hợp đồng trong bản sao lưu không có chữ ký hợp lệ.</source>
        <translation>The contract in the backup has no valid signature.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="113"/>
        <source>Hợp đồng trong bản sao lưu là của cửa hàng khác.</source>
        <translation>The contract in the backup belongs to another shop.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="115"/>
        <source>Cần cụm mật khẩu để mở phần bí mật.</source>
        <translation>The passphrase is needed to open the secrets.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="116"/>
        <source>Cụm mật khẩu cần ít nhất 8 ký tự.</source>
        <translation>The passphrase needs at least 8 characters.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="117"/>
        <source>Sai cụm mật khẩu (hoặc phần bí mật không thuộc bản sao lưu này).</source>
        <translation>Wrong passphrase (or the secrets do not belong to this backup).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="119"/>
        <source>Phần bí mật của bản sao lưu không đọc được.</source>
        <translation>The backup&apos;s secrets cannot be read.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="120"/>
        <source>Máy này đang cài cho cửa hàng khác: chỉ khôi phục khi chắc chắn, và tích ô cho phép ghi đè.</source>
        <translation>This PC is set up for another shop: restore only if you are sure, and tick the box to allow replacing.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="123"/>
        <source>Máy này đã có cài đặt khác: tích ô cho phép ghi đè nếu muốn thay.</source>
        <translation>This PC already has other settings: tick the box to allow replacing them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="125"/>
        <source>Không ghi được ra đĩa (đầy hoặc không có quyền).</source>
        <translation>Could not write to disk (full or no permission).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="130"/>
        <source>Máy chạy cài đặt mặc định: không có tệp cài đặt để chép.</source>
        <translation>This PC runs on default settings: no settings file to copy.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="132"/>
        <source>Chưa có hợp đồng trên máy này.</source>
        <translation>There is no contract on this PC yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="133"/>
        <source>Hợp đồng đang lưu không còn hợp lệ nên không chép; tải lại trên máy mới.</source>
        <translation>The stored contract is no longer valid, so it was not copied; fetch it again on the new PC.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="135"/>
        <source>Mật khẩu trong cài đặt được thay bằng *** (không chép).</source>
        <translation>Passwords in the settings were replaced by *** (not copied).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="137"/>
        <source>Máy này chưa lưu mã cửa hàng.</source>
        <translation>This PC has no shop token stored.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="138"/>
        <source>Không có thông tin bí mật nào để mã hóa.</source>
        <translation>There were no secrets to encrypt.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="144"/>
        <source>không có trong bản sao lưu</source>
        <translation>not in the backup</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="145"/>
        <source>sẽ ghi mới</source>
        <translation>will be written</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="146"/>
        <source>giống hệt, giữ nguyên</source>
        <translation>identical, kept</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="147"/>
        <source>sẽ THAY bản đang có</source>
        <translation>will REPLACE what is there</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="148"/>
        <source>máy đã có bản mới hơn, giữ nguyên</source>
        <translation>this PC has a newer one, kept</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="154"/>
        <source>sẽ cài</source>
        <translation>will be installed</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="155"/>
        <source>đã có</source>
        <translation>already installed</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="156"/>
        <source>sẽ nâng cấp</source>
        <translation>will be upgraded</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="157"/>
        <source>máy có bản mới hơn, giữ nguyên</source>
        <translation>this PC has a newer version, kept</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="158"/>
        <source>máy có bản khác cùng số, giữ nguyên</source>
        <translation>this PC has a different copy of the same version, kept</translation>
    </message>
</context>
<context>
    <name>RatingDialog</name>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="103"/>
        <source>Đánh giá hỗ trợ</source>
        <translation>Rate the support</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="107"/>
        <source>Yêu cầu %1 đã được giải quyết. Cửa hàng hài lòng với hỗ trợ đến mức nào?</source>
        <translation>Request %1 has been resolved. How satisfied is the shop with the support?</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/support/thread_dialogs.py" line="118"/>
        <source>%1 sao</source>
        <translation>
            <numerusform>%1 star</numerusform>
            <numerusform>%1 stars</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="126"/>
        <source>Góp ý thêm (không bắt buộc)</source>
        <translation>More comments (optional)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="132"/>
        <source>Tên người đánh giá</source>
        <translation>Name of the person rating</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="134"/>
        <source>Gửi đánh giá</source>
        <translation>Send rating</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="135"/>
        <source>Bỏ qua</source>
        <translation>Skip</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="145"/>
        <source>Người đánh giá:</source>
        <translation>Rated by:</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="56"/>
        <source>Tên người trả lời</source>
        <translation>Name of the person answering</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="61"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_dialogs.py" line="65"/>
        <source>Người trả lời:</source>
        <translation>Answered by:</translation>
    </message>
</context>
<context>
    <name>RemoteAssistDialog</name>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="89"/>
        <source>Nhờ hỗ trợ từ xa</source>
        <translation>Remote assistance</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="92"/>
        <source>1. Phần mềm điều khiển từ xa trên máy này</source>
        <translation>1. Remote-desktop tools on this PC</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="95"/>
        <source>Mở phần mềm</source>
        <translation>Open the tool</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="96"/>
        <source>Đọc ID</source>
        <translation>Read ID</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="99"/>
        <source>ID hiện trên cửa sổ phần mềm, ví dụ 123 456 789</source>
        <translation>The ID shown in the tool&apos;s window, e.g. 123 456 789</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="104"/>
        <source>2. Gửi ID kèm yêu cầu hỗ trợ</source>
        <translation>2. Send the ID with a support request</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="109"/>
        <source>Gửi ID cho nhà cung cấp</source>
        <translation>Send the ID to the vendor</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="110"/>
        <source>Yêu cầu mới kèm ID…</source>
        <translation>New request with the ID…</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="114"/>
        <source>3. Phiên hỗ trợ (cửa hàng đồng ý trước khi kỹ thuật viên điều khiển máy)</source>
        <translation>3. Support session (the shop agrees before the technician takes control)</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="116"/>
        <source>Tên kỹ thuật viên của nhà cung cấp</source>
        <translation>The vendor technician&apos;s name</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="118"/>
        <source>Việc cần làm, ví dụ: sửa máy in tem</source>
        <translation>What needs doing, e.g. fix the label printer</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="119"/>
        <source>Bắt đầu phiên hỗ trợ</source>
        <translation>Start the support session</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="120"/>
        <source>Kết thúc phiên</source>
        <translation>End the session</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="122"/>
        <source>Chưa có phiên hỗ trợ nào.</source>
        <translation>No support session yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="124"/>
        <source>Kỹ thuật viên:</source>
        <translation>Technician:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="125"/>
        <source>Lý do:</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="130"/>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="158"/>
        <source>Máy này chưa có phần mềm điều khiển từ xa. Gọi %1 để được hướng dẫn cài UltraViewer (miễn phí).</source>
        <translation>This PC has no remote-desktop tool. Call %1 for help installing UltraViewer (free).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="174"/>
        <source>Không mở được %1: %2</source>
        <translation>Could not open %1: %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="177"/>
        <source>Đã mở %1.</source>
        <translation>%1 opened.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="206"/>
        <source>Chưa có yêu cầu đang mở: hãy gửi yêu cầu hỗ trợ trước</source>
        <translation>No open request: raise a support request first</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="233"/>
        <location filename="../../app/ui/technician/remote_dialog.py" line="263"/>
        <source>ID gồm 6 đến 12 chữ số: hãy kiểm tra lại.</source>
        <translation>An ID has 6 to 12 digits: please check it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="250"/>
        <source>Đã gửi ID kèm yêu cầu %1.</source>
        <translation>The ID was sent with request %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="252"/>
        <source>Đã lưu ID vào yêu cầu; nhà cung cấp nhận được ngay khi có mạng.</source>
        <translation>The ID was saved with the request; the vendor gets it as soon as the network is up.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="257"/>
        <source>Không lưu được ID vào yêu cầu: %1</source>
        <translation>Could not save the ID with the request: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="266"/>
        <source>Nhờ hỗ trợ từ xa qua %1.</source>
        <translation>Remote help needed via %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="274"/>
        <source>Cần chọn phần mềm, yêu cầu hỗ trợ và ghi tên kỹ thuật viên.</source>
        <translation>Choose the tool and the support request, and enter the technician&apos;s name.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="288"/>
        <source>Cửa hàng không đồng ý (hoặc hết thời gian chờ): kỹ thuật viên không được điều khiển máy.</source>
        <translation>The shop did not agree (or time ran out): the technician may not control this PC.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="297"/>
        <source>Đang hỗ trợ từ xa: %1, từ %2.</source>
        <translation>Remote support in progress: %1, since %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="299"/>
        <source>Cửa hàng đã đồng ý; phiên hỗ trợ được ghi vào nhật ký.</source>
        <translation>The shop agreed; the session is recorded in the log.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/remote_dialog.py" line="340"/>
        <source>Phiên hỗ trợ đã kết thúc.</source>
        <translation>The support session has ended.</translation>
    </message>
</context>
<context>
    <name>RequestForm</name>
    <message>
        <location filename="../../app/ui/support/form.py" line="79"/>
        <source>Gửi yêu cầu hỗ trợ</source>
        <translation>Raise a support request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="101"/>
        <source>Ví dụ: Máy in tem không in được</source>
        <translation>Example: the label printer does not print</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="103"/>
        <source>Mô tả ngắn: chuyện gì xảy ra, từ lúc nào, đã thử gì.</source>
        <translation>Briefly: what happens, since when, what you tried.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="110"/>
        <source>Ví dụ: %1</source>
        <translation>For example: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="118"/>
        <source>Đính kèm ảnh chụp màn hình</source>
        <translation>Attach a screenshot</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="121"/>
        <source>Đính kèm thông tin chẩn đoán</source>
        <translation>Attach diagnostics</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="122"/>
        <source>Nhật ký, cấu hình và thông tin máy; số CCCD, số điện thoại khác, email và mật khẩu được che trước khi gửi.</source>
        <translation>Logs, settings and computer information; citizen ID numbers, other phone numbers, e-mail addresses and passwords are hidden before sending.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="125"/>
        <source>Xem trước…</source>
        <translation>Preview…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="129"/>
        <source>Thêm tệp…</source>
        <translation>Add file…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="131"/>
        <source>Bỏ tệp</source>
        <translation>Remove file</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="136"/>
        <location filename="../../app/ui/support/form.py" line="365"/>
        <source>Gửi yêu cầu</source>
        <translation>Send request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="139"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="145"/>
        <source>Loại yêu cầu</source>
        <translation>Request type</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="146"/>
        <source>Mức độ</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="147"/>
        <source>Tiêu đề</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="148"/>
        <source>Mô tả</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="150"/>
        <source>Người liên hệ</source>
        <translation>Contact person</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="152"/>
        <source>Số điện thoại</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="154"/>
        <source>Cách hỗ trợ mong muốn</source>
        <translation>Preferred way of help</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="169"/>
        <source>Đính kèm</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="259"/>
        <source>Sự cố nghiêm trọng: hãy gọi ngay đường dây nóng %1 (24/7) sau khi gửi yêu cầu.</source>
        <translation>Critical incident: call the hotline %1 (24/7) right after sending the request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="261"/>
        <source>Ngoài giờ làm việc: yêu cầu sẽ được xử lý từ giờ mở cửa tiếp theo. Việc gấp, gọi đường dây nóng %1 (24/7).</source>
        <translation>Outside working hours: the request will be handled from the next opening. For anything urgent, call the hotline %1 (24/7).</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="273"/>
        <source>Chọn tệp đính kèm</source>
        <translation>Choose files to attach</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="290"/>
        <source>Đang thu thập thông tin chẩn đoán…</source>
        <translation>Collecting diagnostics…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="335"/>
        <source>Đang lưu…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="336"/>
        <source>Đang lưu và gửi yêu cầu…</source>
        <translation>Saving and sending the request…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/form.py" line="366"/>
        <source>Chưa lưu được yêu cầu: %1. Nội dung bạn nhập vẫn còn đây: bấm “Gửi yêu cầu” lần nữa, hoặc gọi %2.</source>
        <translation>The request was not saved: %1. What you typed is still here: press “Send request” again, or call %2.</translation>
    </message>
</context>
<context>
    <name>ScannerDiagnosis</name>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="69"/>
        <source>1. Bộ gõ tiếng Việt (Unikey/EVKey, kiểu Telex) đang bật nên đổi mã quét được (ví dụ DD thành Đ, AW thành Ă).
2. Bấm vào biểu tượng V ở góc phải thanh tác vụ để chuyển sang E (tiếng Anh), hoặc nhấn Ctrl+Shift (phím chuyển mặc định của Unikey).
3. Dùng EVKey: thêm chương trình PMV vào danh sách loại trừ để bộ gõ tự tắt khi bán hàng. Dùng Unikey: luôn chuyển về E trước khi quét.
4. Quét lại tờ mã thử để kiểm tra.</source>
        <translation>1. The Vietnamese input method (Unikey/EVKey, Telex) is on, so it changes the scanned code (for example DD becomes Đ, AW becomes Ă).
2. Click the V icon at the right of the taskbar to switch to E (English), or press Ctrl+Shift (Unikey&apos;s default switch keys).
3. With EVKey: add the PMV program to its exclusion list so the input method turns itself off while selling. With Unikey: always switch to E before scanning.
4. Scan the test sheet again to check.</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="79"/>
        <source>1. Bộ gõ tiếng Việt (Unikey/EVKey, kiểu VNI) đang bật nên số sau chữ bị biến thành dấu (ví dụ A6 thành Â, D9 thành Đ).
2. Bấm vào biểu tượng V ở góc phải thanh tác vụ để chuyển sang E (tiếng Anh), hoặc nhấn Ctrl+Shift (phím chuyển mặc định của Unikey).
3. Dùng EVKey: thêm chương trình PMV vào danh sách loại trừ để bộ gõ tự tắt khi bán hàng. Dùng Unikey: luôn chuyển về E trước khi quét.
4. Quét lại tờ mã thử để kiểm tra.</source>
        <translation>1. The Vietnamese input method (Unikey/EVKey, VNI) is on, so digits after letters become accents (for example A6 becomes Â, D9 becomes Đ).
2. Click the V icon at the right of the taskbar to switch to E (English), or press Ctrl+Shift (Unikey&apos;s default switch keys).
3. With EVKey: add the PMV program to its exclusion list so the input method turns itself off while selling. With Unikey: always switch to E before scanning.
4. Scan the test sheet again to check.</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="89"/>
        <source>1. Đèn Caps Lock trên bàn phím đang sáng: nhấn phím Caps Lock một lần để tắt.
2. Quét lại tờ mã thử: chữ phải ra đúng chữ hoa như trên tem.
3. Nếu vẫn sai: trong sách hướng dẫn máy quét, quét mã cài đặt «Ignore Caps Lock» / «Caps Lock off» (bỏ qua trạng thái Caps Lock).</source>
        <translation>1. The Caps Lock light on the keyboard is on: press Caps Lock once to turn it off.
2. Scan the test sheet again: letters must come out in the same case as on the tag.
3. If still wrong: in the scanner&apos;s manual, scan the setting code «Ignore Caps Lock» / «Caps Lock off».</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="96"/>
        <source>1. Máy quét không gửi phím Enter sau mã nên PMV không nhận mã.
2. Mở sách hướng dẫn cài đặt (Setup Manual) của máy quét, tìm mục «Suffix» hoặc «Terminator».
3. Quét mã cài đặt «Add CR suffix» / «Enter suffix» (một số hãng ghi «Terminator: CR»).
4. Quét lại tờ mã thử: sau mỗi mã, con trỏ phải xuống dòng.</source>
        <translation>1. The scanner sends no Enter key after the code, so PMV does not take the code.
2. Open the scanner&apos;s Setup Manual and find the «Suffix» or «Terminator» section.
3. Scan the setting code «Add CR suffix» / «Enter suffix» (some makers write «Terminator: CR»).
4. Scan the test sheet again: after each code the cursor must move to a new line.</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="103"/>
        <source>1. Windows đang dùng bàn phím khác English (US) (ví dụ VIE, FRA, DEU ở thanh tác vụ), nên số và chữ từ máy quét bị đổi.
2. Nhấn Windows+Space và chọn ENG – English (United States).
3. Để không lặp lại: vào Settings → Time &amp; Language → Language, gỡ bàn phím thừa (kể cả bàn phím Vietnamese của Windows); gõ tiếng Việt bằng Unikey/EVKey.
4. Hoặc quét mã cài đặt «Keyboard country: USA» trong sách hướng dẫn máy quét.
5. Quét lại tờ mã thử.</source>
        <translation>1. Windows is using a keyboard other than English (US) (for example VIE, FRA or DEU on the taskbar), so digits and letters from the scanner are changed.
2. Press Windows+Space and choose ENG – English (United States).
3. To stop it happening again: go to Settings → Time &amp; Language → Language and remove the extra keyboards (including Windows&apos; Vietnamese keyboard); type Vietnamese with Unikey/EVKey.
4. Or scan the setting code «Keyboard country: USA» in the scanner&apos;s manual.
5. Scan the test sheet again.</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="113"/>
        <source>1. Máy quét đang thêm ký tự trước hoặc sau mã (tiền tố/hậu tố, AIM ID, Code ID).
2. Trong sách hướng dẫn máy quét, quét mã cài đặt «Clear all prefix/suffix» (xóa tiền tố/hậu tố).
3. Nếu còn ký tự lạ ở đầu mã: quét mã «Disable AIM ID» và «Disable Code ID».
4. Quét lại mã «Add CR suffix» để máy vẫn gửi Enter sau mã, rồi quét lại tờ mã thử.</source>
        <translation>1. The scanner adds characters before or after the code (prefix/suffix, AIM ID, Code ID).
2. In the scanner&apos;s manual, scan the setting code «Clear all prefix/suffix».
3. If odd characters remain at the start of the code: scan «Disable AIM ID» and «Disable Code ID».
4. Scan «Add CR suffix» again so the scanner still sends Enter after the code, then scan the test sheet again.</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="121"/>
        <source>1. Mã đến máy tính bị mất hoặc sai ký tự: máy quét gửi phím quá nhanh hoặc kết nối chập chờn.
2. Cắm cáp máy quét thẳng vào cổng USB phía sau máy tính, không qua bộ chia USB.
3. Trong sách hướng dẫn máy quét, quét mã giảm tốc độ gửi phím («Keystroke delay» / «Inter-character delay» 20–50 ms, hoặc «USB speed: low»).
4. Quét lại tờ mã thử. Nếu vẫn lỗi, thử cáp khác hoặc gọi tổng đài %1 (24/7).</source>
        <translation>1. The code reaches the computer with characters missing or wrong: the scanner sends keys too fast or the connection is unreliable.
2. Plug the scanner&apos;s cable straight into a USB port at the back of the computer, not through a USB hub.
3. In the scanner&apos;s manual, scan a code that slows the keystrokes («Keystroke delay» / «Inter-character delay» 20–50 ms, or «USB speed: low»).
4. Scan the test sheet again. If it still fails, try another cable or call the hotline %1 (24/7).</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="130"/>
        <source>1. Số kiểm tra (chữ số cuối) của mã vạch trên tem bị sai: lỗi ở tem, không phải ở máy quét.
2. Không dùng tem này để bán; nếu cần, nhập mã hàng bằng tay.
3. In lại tem từ phần mềm PMV để số kiểm tra được tính lại.
4. Nếu tem in lại vẫn sai, gọi tổng đài %1 để kỹ thuật kiểm tra dữ liệu mã hàng.</source>
        <translation>1. The check digit (last digit) of the barcode on the tag is wrong: the fault is in the tag, not the scanner.
2. Do not sell with this tag; if needed, type the item code by hand.
3. Print the tag again from the PMV software so the check digit is worked out again.
4. If the reprinted tag is still wrong, call the hotline %1 so a technician can check the item data.</translation>
    </message>
    <message>
        <location filename="../../app/devices/diagnosis.py" line="137"/>
        <source>1. Máy quét không gửi mã: loại mã vạch này đang bị tắt trong máy quét.
2. Trong sách hướng dẫn máy quét, quét mã cài đặt bật đúng loại mã đang thử: «Enable EAN-13», «Enable Code 39», «Enable Code 128» hoặc «Enable QR Code».
3. Nếu không rõ: quét mã «Restore factory defaults», rồi quét lại mã «Add CR suffix».
4. Quét lại tờ mã thử. Nếu vẫn không có tín hiệu, kiểm tra cáp và gọi tổng đài %1 (24/7).</source>
        <translation>1. The scanner sends no code: this barcode type is turned off in the scanner.
2. In the scanner&apos;s manual, scan the setting code that turns on the type being tested: «Enable EAN-13», «Enable Code 39», «Enable Code 128» or «Enable QR Code».
3. If unsure: scan «Restore factory defaults», then scan «Add CR suffix» again.
4. Scan the test sheet again. If there is still no signal, check the cable and call the hotline %1 (24/7).</translation>
    </message>
</context>
<context>
    <name>ScannerTab</name>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="169"/>
        <source>Làm mới</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="178"/>
        <source>Tự nhận</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="180"/>
        <location filename="../../app/ui/devices/scanner_tab.py" line="319"/>
        <source>Kết nối</source>
        <translation>Connect</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="182"/>
        <source>Tự dò tốc độ</source>
        <translation>Detect speed</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="184"/>
        <source>Máy quét cổng COM / USB-COM</source>
        <translation>COM / USB-COM scanner</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="186"/>
        <source>Cổng</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="190"/>
        <location filename="../../app/ui/devices/scanner_tab.py" line="231"/>
        <source>Tốc độ</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="190"/>
        <source>Khung</source>
        <translation>Frame</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="191"/>
        <location filename="../../app/ui/devices/scanner_tab.py" line="230"/>
        <source>Kết thúc</source>
        <translation>Terminator</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="206"/>
        <source>Bấm vào đây rồi quét mã (máy quét kiểu bàn phím USB)</source>
        <translation>Click here, then scan (USB keyboard-type scanner)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="209"/>
        <source>Máy quét kiểu bàn phím (USB HID)</source>
        <translation>Keyboard-type scanner (USB HID)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="216"/>
        <source>Thử lại từ đầu</source>
        <translation>Start over</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="218"/>
        <source>Mã này không quét được</source>
        <translation>This code does not scan</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="220"/>
        <source>In tờ mã thử…</source>
        <translation>Print the test sheet…</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="222"/>
        <source>Thử với tờ mã: quét lần lượt từng mã</source>
        <translation>Test sheet: scan each code in turn</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="230"/>
        <source>Lúc</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="230"/>
        <source>Nguồn</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="230"/>
        <source>Nội dung</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="279"/>
        <source>Không thấy cổng COM nào. Máy quét USB kiểu bàn phím không cần cổng: dùng ô bên dưới.</source>
        <translation>No COM port found. A USB keyboard-type scanner needs no port: use the field below.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="293"/>
        <source>Chọn hoặc nhập cổng trước.</source>
        <translation>Choose or type a port first.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="315"/>
        <source>Ngắt kết nối</source>
        <translation>Disconnect</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="316"/>
        <source>Đang nghe %1 – hãy quét một mã.</source>
        <translation>Listening on %1 – scan a code.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="323"/>
        <source>Lỗi cổng: %1</source>
        <translation>Port error: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="325"/>
        <source>Đã ngắt kết nối.</source>
        <translation>Disconnected.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="332"/>
        <source>Đang dò tốc độ: hãy quét liên tục một mã trong vài giây…</source>
        <translation>Detecting the speed: keep scanning one code for a few seconds…</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="334"/>
        <source>Đang dò tốc độ cổng…</source>
        <translation>Detecting the port speed…</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="339"/>
        <source>Không dò được tốc độ: không nhận được mã hợp lệ ở tốc độ nào.</source>
        <translation>Could not detect the speed: no valid code arrived at any rate.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="342"/>
        <source>Máy quét dùng tốc độ %1 baud.</source>
        <translation>The scanner uses %1 baud.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="356"/>
        <source>Cổng COM</source>
        <translation>COM port</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="397"/>
        <source>Bàn phím (máy quét)</source>
        <translation>Keyboard (scanner)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="397"/>
        <source>Bàn phím (người gõ)</source>
        <translation>Keyboard (person typing)</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="398"/>
        <source>%1 phím/giây</source>
        <translation>%1 keys/s</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="437"/>
        <source>%1: mong đợi %2, nhận được %3</source>
        <translation>%1: expected %2, received %3</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="441"/>
        <source>Quét đúng.</source>
        <translation>Scanned correctly.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="447"/>
        <source>Máy quét đọc đúng tất cả các mã trên tờ thử.</source>
        <translation>The scanner read every code on the test sheet correctly.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="461"/>
        <source>In tờ mã thử, bấm vào ô quét (hoặc kết nối cổng COM) rồi quét lần lượt từng mã. Ứng dụng sẽ chỉ ra lỗi thường gặp và cách sửa.</source>
        <translation>Print the test sheet, click the scan field (or connect the COM port), then scan each code in turn. The app names the usual faults and how to fix them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="479"/>
        <source>Lưu tờ mã thử</source>
        <translation>Save the test sheet</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="488"/>
        <source>Đã lưu tờ mã thử: %1 – in ở 100%.</source>
        <translation>Test sheet saved: %1 – print at 100%.</translation>
    </message>
    <message>
        <location filename="../../app/ui/devices/scanner_tab.py" line="490"/>
        <source>Chưa lưu được tờ mã thử: %1. Hãy chọn nơi khác để lưu.</source>
        <translation>The test sheet was not saved: %1. Choose another place to save it.</translation>
    </message>
</context>
<context>
    <name>SettingsProblems</name>
    <message>
        <location filename="../../app/infra/settings_words.py" line="22"/>
        <source>sai kiểu dữ liệu</source>
        <translation>is of the wrong type</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="23"/>
        <source>không phải giá trị được phép</source>
        <translation>is not an allowed value</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="24"/>
        <source>nằm ngoài khoảng cho phép</source>
        <translation>is out of the allowed range</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="25"/>
        <source>thiếu mục bắt buộc</source>
        <translation>is missing a required key</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="26"/>
        <source>địa chỉ phải bắt đầu bằng http:// hoặc https://</source>
        <translation>must be an address starting with http:// or https://</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="27"/>
        <source>đường dẫn không dùng được; với đường dẫn Windows hãy dùng dấu / hoặc dấu nháy đơn</source>
        <translation>is not a usable path; in Windows paths use / or single quotes</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="29"/>
        <source>khoảng giờ viết sai (ví dụ đúng: 08:00-12:00)</source>
        <translation>is not a valid range of hours (correct example: 08:00-12:00)</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="30"/>
        <source>không ghi được vào thư mục này</source>
        <translation>is a folder that cannot be written to</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="31"/>
        <source>tên mục không xác định</source>
        <translation>is an unknown key</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="32"/>
        <source>chuỗi thiếu dấu nháy đóng</source>
        <translation>a string is missing its closing quote</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="33"/>
        <source>chuỗi chứa ký tự điều khiển không được phép</source>
        <translation>a string contains a control character that is not allowed</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="34"/>
        <source>dấu \ không hợp lệ trong chuỗi (thường là đường dẫn Windows); hãy dùng dấu / hoặc đặt đường dẫn trong dấu nháy đơn</source>
        <translation>an invalid \ in a string (usually a Windows path); use / or put the path in single quotes</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="37"/>
        <source>tên nhóm trong [ ] thiếu dấu ] đóng</source>
        <translation>a [section] name is missing its closing ]</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="38"/>
        <source>một mục được khai báo hai lần</source>
        <translation>a key is set twice</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="39"/>
        <source>một nhóm [ ] được khai báo hai lần</source>
        <translation>a [section] is declared twice</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="40"/>
        <source>giá trị viết sai; chữ phải đặt trong dấu nháy kép, ví dụ &quot;PMV.exe&quot;</source>
        <translation>a value is written wrongly; text must be in double quotes, e.g. &quot;PMV.exe&quot;</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="42"/>
        <source>dòng không có dạng tên = giá trị</source>
        <translation>the line is not of the form name = value</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="43"/>
        <source>danh sách [ ] hoặc nhóm { } thiếu dấu đóng</source>
        <translation>a list [ ] or table { } is never closed</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="44"/>
        <source>tệp không được lưu bằng mã UTF-8; hãy lưu lại với mã hóa UTF-8</source>
        <translation>the file is not saved as UTF-8; save it again with UTF-8 encoding</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="46"/>
        <source>không có quyền đọc tệp</source>
        <translation>no permission to read the file</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="47"/>
        <source>lỗi khi đọc tệp từ ổ đĩa</source>
        <translation>the file could not be read from the disk</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="48"/>
        <source>tệp trống</source>
        <translation>the file is empty</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="49"/>
        <source>không tìm thấy tệp</source>
        <translation>the file was not found</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="67"/>
        <source>Không tìm thấy tệp cấu hình</source>
        <translation>The settings file was not found</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="69"/>
        <source>Tệp cấu hình trống</source>
        <translation>The settings file is empty</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="72"/>
        <source>Tệp cấu hình có lỗi ở dòng %1</source>
        <translation>The settings file has an error on line %1</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="73"/>
        <source>Không đọc được tệp cấu hình</source>
        <translation>Cannot read the settings file</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="75"/>
        <source>Tệp cấu hình có lỗi ở dòng %1 (%2)</source>
        <translation>The settings file has an error on line %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="76"/>
        <source>Không đọc được tệp cấu hình (%1)</source>
        <translation>Cannot read the settings file (%1)</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="89"/>
        <source>%1.</source>
        <comment>a sentence</comment>
        <translation>%1.</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="91"/>
        <source>%1; đang dùng cấu hình hợp lệ gần nhất (%2). Hãy sửa tệp %3 rồi mở lại ứng dụng.</source>
        <translation>%1; using the last valid settings (%2). Fix the file %3, then reopen the app.</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="94"/>
        <source>%1; đang dùng cấu hình mặc định nên ứng dụng không theo dõi được phần mềm PMV. Hãy sửa tệp %2 rồi mở lại ứng dụng, hoặc gọi %3.</source>
        <translation>%1; using the default settings, so the app cannot monitor the PMV software. Fix the file %2, then reopen the app, or call %3.</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="101"/>
        <source>%1 Hãy sửa mục này trong tệp %2.</source>
        <translation>%1 Fix this entry in the file %2.</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="50"/>
        <source>không hợp lệ</source>
        <translation>is invalid</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="107"/>
        <source>Mục cấu hình không xác định “%1” đã được bỏ qua (có thể gõ sai tên).</source>
        <translation>The unknown setting “%1” was ignored (perhaps a typo).</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="109"/>
        <source>Thiếu mục cấu hình bắt buộc “%1”; phần cấu hình chứa nó đã được bỏ qua.</source>
        <translation>The required setting “%1” is missing; the part of the settings that holds it was ignored.</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="114"/>
        <source>Mục cấu hình “%1” có giá trị “%2” %3. Đang dùng giá trị hợp lệ gần nhất (%4).</source>
        <translation>The setting “%1” has the value “%2”, which %3. Using the last valid value (%4).</translation>
    </message>
    <message>
        <location filename="../../app/infra/settings_words.py" line="117"/>
        <source>Mục cấu hình “%1” có giá trị “%2” %3. Đang dùng giá trị mặc định.</source>
        <translation>The setting “%1” has the value “%2”, which %3. Using the default value.</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="27"/>
        <source>Tệp: %1</source>
        <translation>File: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="29"/>
        <source>Máy in tem: [[devices.printers]] (name, language, dpi, host/port, serial hoặc queue). Máy quét: [devices] scanner_ports. Lưu xong cần mở lại phần mềm để áp dụng.</source>
        <translation>Label printers: [[devices.printers]] (name, language, dpi, host/port, serial or queue). Scanners: [devices] scanner_ports. Reopen the app after saving to apply.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="34"/>
        <source>Kiểm tra</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="35"/>
        <source>Lưu</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="36"/>
        <source>Đọc lại tệp</source>
        <translation>Reload file</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="55"/>
        <source>Chưa lưu được, cần sửa:</source>
        <translation>Not saved yet, please fix:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="57"/>
        <source>Cài đặt hợp lệ.</source>
        <translation>The settings are valid.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="69"/>
        <source>Đã lưu. Bản cũ giữ ở %1. Mở lại phần mềm để áp dụng.</source>
        <translation>Saved. The old file is kept as %1. Reopen the app to apply.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="76"/>
        <source>Không lưu: cài đặt có lỗi, tệp cũ giữ nguyên.</source>
        <translation>Not saved: the settings have errors; the old file is unchanged.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/settings_tab.py" line="79"/>
        <source>Không đọc hoặc ghi được tệp cài đặt: %1</source>
        <translation>Could not read or write the settings file: %1</translation>
    </message>
</context>
<context>
    <name>SetupTexts</name>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="16"/>
        <source>Nhập mã kích hoạt nhà cung cấp đã gửi (10 ký tự).</source>
        <translation>Enter the enrolment code the vendor sent (10 characters).</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="18"/>
        <source>Mã kích hoạt có 10 ký tự; ô này đang có %1.</source>
        <translation>An enrolment code has 10 characters; this box has %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="23"/>
        <source>Mã không đúng — kiểm tra lại ký tự thứ %1</source>
        <translation>Wrong code — check character %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="24"/>
        <source>Mã không đúng — kiểm tra lại từng ký tự.</source>
        <translation>Wrong code — check each character.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="57"/>
        <source>Nhập sai quá nhiều lần. Thử lại sau %1 phút, hoặc gọi %2.</source>
        <translation>Too many wrong tries. Try again in %1 minutes, or call %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="28"/>
        <source>Không có mã kích hoạt này. Kiểm tra lại mã, hoặc gọi %1 để được cấp mã mới.</source>
        <translation>There is no such enrolment code. Check the code, or call %1 for a new one.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="20"/>
        <source>Mã có chữ tiếng Việt (ký tự thứ %1): hãy tắt bộ gõ tiếng Việt (Unikey, EVKey) rồi gõ lại mã.</source>
        <translation>The code has a Vietnamese letter (character %1): turn off the Vietnamese input method (Unikey, EVKey) and type the code again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="30"/>
        <source>Mã kích hoạt đã hết hạn (mã dùng được 72 giờ). Gọi %1 để được cấp mã mới.</source>
        <translation>The enrolment code has expired (codes last 72 hours). Call %1 for a new one.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="32"/>
        <source>Mã kích hoạt này đã được dùng. Mỗi mã chỉ dùng một lần; gọi %1 để được cấp mã mới.</source>
        <translation>This enrolment code has been used. Each code works once; call %1 for a new one.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="34"/>
        <source>Không kết nối được máy chủ hỗ trợ. Kiểm tra mạng; nếu cửa hàng không có Internet, hãy nhập mã cửa hàng và tệp hợp đồng ở phần dưới, hoặc gọi %1.</source>
        <translation>The vendor server cannot be reached. Check the network; if the shop has no Internet, enter the shop token and the contract file below, or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="37"/>
        <source>Máy chủ hỗ trợ không trả lời kịp. Thử lại sau ít phút, hoặc gọi %1.</source>
        <translation>The vendor server did not answer in time. Try again in a few minutes, or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="39"/>
        <source>Máy chủ hỗ trợ đang gặp lỗi. Thử lại sau ít phút, hoặc gọi %1.</source>
        <translation>The vendor server has a problem. Try again in a few minutes, or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="41"/>
        <source>Máy chủ trả lời không đúng định dạng. Gọi %1.</source>
        <translation>The server&apos;s answer is malformed. Call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="43"/>
        <source>Hợp đồng máy chủ gửi không xác thực được nên chưa nhận. Gọi %1.</source>
        <translation>The contract the server sent does not verify, so it was not taken. Call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="55"/>
        <source>Nhập sai quá nhiều lần. Thử lại sau %1 phút, hoặc gọi %2.</source>
        <comment>one</comment>
        <translation>Too many wrong tries. Try again in %1 minute, or call %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="63"/>
        <source>PMV đang chạy ở đây</source>
        <translation>PMV is running from here</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="64"/>
        <source>theo mục cài đặt của Windows</source>
        <translation>from Windows&apos; list of installed programs</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="65"/>
        <source>thư mục cài thường gặp</source>
        <translation>a usual install folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="66"/>
        <source>do bạn chọn</source>
        <translation>chosen by you</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="71"/>
        <source>Không có tệp PMV.ini: các thư mục dưới đây được đoán theo cách PMV thường cài. Kiểm tra lại.</source>
        <translation>There is no PMV.ini: the folders below are guessed from how PMV is usually installed. Check them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="74"/>
        <source>Tệp PMV.ini bị hỏng hoặc không đọc được: các thư mục dưới đây được đoán. Kiểm tra lại.</source>
        <translation>PMV.ini is damaged or unreadable: the folders below are guessed. Check them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="77"/>
        <source>PMV.ini không ghi đủ các đường dẫn: phần còn thiếu được đoán. Kiểm tra lại.</source>
        <translation>PMV.ini does not name every path: the missing ones are guessed. Check them.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="79"/>
        <source>Chuỗi kết nối máy chủ dữ liệu trong PMV.ini không dùng được.</source>
        <translation>The database server connection string in PMV.ini cannot be used.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="81"/>
        <source>PMV.ini ghi một tệp dữ liệu không có ở đó: chọn đúng tệp dữ liệu bán hàng.</source>
        <translation>PMV.ini names a database file that is not there: choose the right sales database file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="83"/>
        <source>Không thấy tệp dữ liệu bán hàng cạnh thư mục cài: chọn tệp bằng nút Chọn…</source>
        <translation>No sales database file beside the install folder: choose it with Choose…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="85"/>
        <source>Không thấy thư mục sao lưu: chọn thư mục PMV ghi bản sao lưu.</source>
        <translation>The backup folder was not found: choose the folder PMV writes its backups to.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="87"/>
        <source>Không thấy thư mục nhật ký của PMV: chọn nếu biết, hoặc để trống.</source>
        <translation>PMV&apos;s log folder was not found: choose it if you know it, or leave it empty.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="93"/>
        <source>Không có tệp dữ liệu ở đường dẫn này.</source>
        <translation>There is no database file at this path.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="94"/>
        <source>Tệp này không phải dữ liệu PMV hoặc đã bị hỏng. Chọn đúng tệp, hoặc gọi %1.</source>
        <translation>This file is not a PMV database or is damaged. Choose the right file, or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="96"/>
        <source>Không mở được tệp dữ liệu (không có quyền hoặc đang bị khóa). Gọi %1 nếu cần.</source>
        <translation>The database file cannot be opened (no permission, or locked). Call %1 if needed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="98"/>
        <source>Đây là một cơ sở dữ liệu nhưng không phải của PMV. Chọn đúng tệp dữ liệu bán hàng.</source>
        <translation>This is a database, but not PMV&apos;s. Choose the right sales database file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="100"/>
        <source>Chuỗi kết nối máy chủ dữ liệu không dùng được. Gọi %1.</source>
        <translation>The database server connection string cannot be used. Call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="101"/>
        <source>Bản cài này thiếu trình kết nối máy chủ dữ liệu. Gọi %1.</source>
        <translation>This install lacks the database server driver. Call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="103"/>
        <source>Không kết nối được máy chủ dữ liệu của PMV. Kiểm tra máy chủ đã bật và mạng nội bộ.</source>
        <translation>PMV&apos;s database server cannot be reached. Check that the server is on and the local network works.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="105"/>
        <source>Máy chủ dữ liệu từ chối tên đăng nhập hoặc mật khẩu trong PMV.ini.</source>
        <translation>The database server refused the user name or password in PMV.ini.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="107"/>
        <source>Máy chủ dữ liệu không có cơ sở dữ liệu PMV ghi trong PMV.ini.</source>
        <translation>The database server has no database of the name in PMV.ini.</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/texts.py" line="109"/>
        <source>Máy chủ dữ liệu báo lỗi. Gọi %1.</source>
        <translation>The database server reported an error. Call %1.</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="43"/>
        <source>Thiết lập cửa hàng</source>
        <translation>Shop setup</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="47"/>
        <source>&lt; Quay lại</source>
        <translation>&lt; Back</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="48"/>
        <source>Tiếp &gt;</source>
        <translation>Next &gt;</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="49"/>
        <source>Lưu thiết lập &gt;</source>
        <translation>Save the setup &gt;</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="50"/>
        <source>Xong</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="51"/>
        <source>Để sau</source>
        <translation>Later</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../app/ui/start_texts.py" line="57"/>
        <source>Phần mềm không khởi động được. Hãy khởi động lại máy; nếu vẫn lỗi, gọi %1.

Chi tiết: %2</source>
        <translation>The app could not start. Restart the computer; if it still fails, call %1.

Details: %2</translation>
    </message>
</context>
<context>
    <name>StorageErrors</name>
    <message>
        <location filename="../../app/ui/start_texts.py" line="23"/>
        <source>Cơ sở dữ liệu của ứng dụng đang bị một chương trình khác giữ. Hãy đóng các cửa sổ PMV Support Assistant khác rồi mở lại.</source>
        <translation>The app&apos;s database is held by another program. Close any other PMV Support Assistant windows and open it again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="26"/>
        <source>Dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng. Hãy cài lại bản mới nhất; dữ liệu không bị thay đổi.</source>
        <translation>The data was created by a newer version of the app. Reinstall the latest version; your data has not been changed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="29"/>
        <source>Nâng cấp dữ liệu không thành công; dữ liệu cũ đã được khôi phục nguyên vẹn.</source>
        <translation>Upgrading the data failed; the previous data was restored intact.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="31"/>
        <source>Không mở được cơ sở dữ liệu của ứng dụng (quyền truy cập hoặc ổ đĩa).</source>
        <translation>Cannot open the app&apos;s database (permissions or disk).</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="33"/>
        <source>Ổ đĩa chứa dữ liệu của ứng dụng đã đầy. Hãy xóa bớt tệp không cần (thùng rác, tệp tải về) rồi mở lại; dữ liệu đã lưu không bị mất.</source>
        <translation>The disk holding the app&apos;s data is full. Delete files you do not need (the Recycle Bin, downloads), then open the app again; nothing saved was lost.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="36"/>
        <source>Không ghi được vào cơ sở dữ liệu của ứng dụng (ổ đĩa chỉ cho phép đọc hoặc không có quyền ghi). Dữ liệu đã lưu vẫn còn nguyên.</source>
        <translation>The app&apos;s database cannot be written (a read-only disk, or no permission to write). Nothing saved was lost.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="39"/>
        <source>Cơ sở dữ liệu của ứng dụng bị hỏng. Hãy mở lại ứng dụng: tệp hỏng được giữ lại cho kỹ thuật viên và một tệp mới được tạo.</source>
        <translation>The app&apos;s database is damaged. Open the app again: the damaged file is kept for a technician and a new one is made.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="42"/>
        <source>Ổ đĩa báo lỗi khi đọc hoặc ghi dữ liệu của ứng dụng. Hãy nhờ kỹ thuật viên kiểm tra ổ đĩa.</source>
        <translation>The disk failed a read or a write of the app&apos;s data. Have a technician check the disk.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="51"/>
        <source>Gọi %1 để được hỗ trợ. Tệp dữ liệu: %2</source>
        <translation>Call %1 for help. Data file: %2</translation>
    </message>
</context>
<context>
    <name>StorageNotices</name>
    <message>
        <location filename="../../app/ui/start_texts.py" line="12"/>
        <source>Cơ sở dữ liệu của ứng dụng bị hỏng nên đã được tạo mới. Tệp cũ được giữ lại tại %1 để kỹ thuật viên khôi phục; hãy gọi %2 nếu cần.</source>
        <translation>The app&apos;s database was damaged, so a new one was created. The old file is kept at %1 for a technician to recover; call %2 if needed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/start_texts.py" line="18"/>
        <source>Dữ liệu đã được nâng cấp lên phiên bản mới; bản sao trước khi nâng cấp: %1</source>
        <translation>Your data was upgraded to the new version; a copy from before the upgrade: %1</translation>
    </message>
</context>
<context>
    <name>SupportPage</name>
    <message>
        <location filename="../../app/ui/support/page.py" line="65"/>
        <source>Yêu cầu hỗ trợ</source>
        <translation>Support requests</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="66"/>
        <source>Gửi yêu cầu mới…</source>
        <translation>New request…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="68"/>
        <source>Nhờ hỗ trợ từ xa…</source>
        <translation>Remote help…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="80"/>
        <source>Số</source>
        <translation>Number</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="80"/>
        <source>Tiêu đề</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="80"/>
        <location filename="../../app/ui/support/page.py" line="260"/>
        <location filename="../../app/ui/support/page.py" line="269"/>
        <source>Trạng thái</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="81"/>
        <source>Hạn đề xuất phương án</source>
        <translation>Solution due</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="94"/>
        <source>Chưa có yêu cầu nào. Khi máy có vấn đề, bấm “Gửi yêu cầu mới”: kỹ thuật viên sẽ đề xuất phương án trong 2–4 giờ làm việc.</source>
        <translation>No requests yet. When something is wrong, press “New request”: a technician proposes a solution within 2–4 working hours.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="160"/>
        <source>Lịch ước tính: nhà cung cấp chưa gửi lịch làm việc năm %1, ngày nghỉ lễ được tính theo lịch chung nên hạn xử lý có thể lệch.</source>
        <translation>Estimated calendar: the vendor has not sent its %1 working calendar yet; holidays follow the general calendar, so deadlines may be off.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="164"/>
        <source>Lịch làm việc %1 của nhà cung cấp, cập nhật %2</source>
        <translation>Vendor&apos;s %1 working calendar, updated %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="173"/>
        <source>Hiện ngoài giờ làm việc của bộ phận hỗ trợ. Yêu cầu vẫn được nhận và xử lý từ giờ mở cửa tiếp theo; việc gấp xin gọi đường dây nóng %1 (24/7).</source>
        <translation>The support team is outside working hours. Requests are still received and handled from the next opening; for anything urgent call the hotline %1 (24/7).</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="177"/>
        <source>Đường dây nóng %1 luôn sẵn sàng 24/7, kể cả cuối tuần và ngày lễ.</source>
        <translation>The hotline %1 is available 24/7, weekends and public holidays included.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="209"/>
        <source>(chưa có số)</source>
        <translation>(no number yet)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="214"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="258"/>
        <source>Người mở</source>
        <translation>Opened by</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="259"/>
        <location filename="../../app/ui/support/page.py" line="268"/>
        <source>Số yêu cầu</source>
        <translation>Request number</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="263"/>
        <source>Mở lúc</source>
        <translation>Opened at</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="264"/>
        <source>Đường dây nóng</source>
        <translation>Hotline</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="264"/>
        <source>%1 (24/7)</source>
        <translation>%1 (24/7)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="268"/>
        <source>chưa có (chưa gửi được)</source>
        <translation>none yet (not sent yet)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="293"/>
        <source>Chưa gửi được. Yêu cầu đã được lưu và sẽ tự gửi lại. Việc gấp xin gọi %1.</source>
        <translation>Not sent yet. The request is saved and will be sent again by itself. If it is urgent, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="296"/>
        <source>Chưa gửi được: %1. Yêu cầu đã được lưu và sẽ tự gửi lại. Việc gấp xin gọi %2.</source>
        <translation>Not sent yet: %1. The request is saved and will be sent again by itself. If it is urgent, call %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="261"/>
        <location filename="../../app/ui/support/page.py" line="270"/>
        <source>Loại</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="216"/>
        <source>(%1 tin mới) %2</source>
        <translation>(%1 new) %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="262"/>
        <location filename="../../app/ui/support/page.py" line="271"/>
        <source>Mức độ</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="272"/>
        <source>Gửi lúc</source>
        <translation>Raised at</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="273"/>
        <source>Liên hệ</source>
        <translation>Contact</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="274"/>
        <source>Cách hỗ trợ mong muốn</source>
        <translation>Preferred way of help</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="279"/>
        <source>Hạn</source>
        <translation>Due</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="80"/>
        <source>Đã lưu yêu cầu trên máy</source>
        <translation>Request saved on this PC</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="82"/>
        <source>Máy này đã nhận yêu cầu từ bộ phận hỗ trợ, số %1</source>
        <translation>This PC received the request from the support team, number %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="85"/>
        <source>Đã gửi tới bộ phận hỗ trợ, số %1</source>
        <translation>Delivered to the support team as %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="87"/>
        <source>Chưa gửi được (lần %1), sẽ tự thử lại</source>
        <translation>Not delivered yet (attempt %1); will retry automatically</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="95"/>
        <source>Không gửi được tệp %1</source>
        <translation>Could not send the file %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="286"/>
        <source>Đã gửi yêu cầu, số %1. %2</source>
        <translation>Request sent as %1. %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/page.py" line="301"/>
        <source>Không lưu được yêu cầu: %1. Hãy gọi %2.</source>
        <translation>Could not save the request: %1. Please call %2.</translation>
    </message>
</context>
<context>
    <name>SupportTexts</name>
    <message>
        <location filename="../../app/ui/support/texts.py" line="23"/>
        <source>Sự cố</source>
        <translation>Incident</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="24"/>
        <source>Hướng dẫn sử dụng</source>
        <translation>How-to help</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="25"/>
        <source>Cập nhật quy định</source>
        <translation>Regulation update</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="26"/>
        <source>Cài lại phần mềm</source>
        <translation>Reinstall the software</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="27"/>
        <source>Thiết bị mã vạch</source>
        <translation>Barcode device</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="32"/>
        <source>Nghiêm trọng – không bán hàng được</source>
        <translation>Critical – cannot trade</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="33"/>
        <source>Cao – ảnh hưởng việc bán hàng</source>
        <translation>High – trading is affected</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="34"/>
        <source>Bình thường</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="40"/>
        <source>máy này chưa được kết nối với nhà cung cấp (chưa có mã kết nối)</source>
        <translation>this PC is not connected to the vendor yet (no shop token)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="42"/>
        <source>không kết nối được máy chủ hỗ trợ (mất mạng?)</source>
        <translation>the support server cannot be reached (is the network down?)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="43"/>
        <source>máy chủ hỗ trợ không trả lời kịp</source>
        <translation>the support server did not answer in time</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="44"/>
        <source>máy chủ hỗ trợ từ chối mã kết nối của cửa hàng</source>
        <translation>the support server refused the shop&apos;s token</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="45"/>
        <source>máy chủ hỗ trợ không tìm thấy nơi nhận yêu cầu</source>
        <translation>the support server has no place to take the request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="46"/>
        <source>tệp đính kèm quá lớn với máy chủ hỗ trợ</source>
        <translation>the attachments are too large for the support server</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="47"/>
        <source>máy chủ hỗ trợ đang gặp lỗi</source>
        <translation>the support server has a fault</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="48"/>
        <source>máy chủ hỗ trợ không nhận nội dung yêu cầu</source>
        <translation>the support server did not accept the request&apos;s content</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="53"/>
        <source>Điện thoại</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="54"/>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="55"/>
        <source>Truy cập từ xa</source>
        <translation>Remote session</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="56"/>
        <source>Đến tận nơi</source>
        <translation>On-site visit</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="61"/>
        <source>Chờ gửi</source>
        <translation>Waiting to send</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="62"/>
        <source>Đã gửi</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="63"/>
        <source>Đã tiếp nhận</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="64"/>
        <source>Đang xử lý</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="65"/>
        <source>Đã đề xuất phương án</source>
        <translation>Solution proposed</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="66"/>
        <source>Đã hẹn đến tận nơi</source>
        <translation>On-site visit scheduled</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="67"/>
        <source>Đã giải quyết</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="68"/>
        <source>Đã đóng</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="74"/>
        <source>Nhà cung cấp đã phát hiện và mở yêu cầu</source>
        <translation>The vendor detected a problem and opened this request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="100"/>
        <source>tệp đã bị xóa khỏi máy</source>
        <translation>the file was deleted from this PC</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="101"/>
        <source>tệp đã bị thay đổi sau khi đính kèm nên không gửi</source>
        <translation>the file changed after it was attached, so it was not sent</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="102"/>
        <source>tệp quá lớn, máy chủ từ chối</source>
        <translation>the file is too large; the server refused it</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="103"/>
        <source>máy chủ từ chối tệp (sai mã kiểm tra)</source>
        <translation>the server refused the file (checksum mismatch)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="104"/>
        <source>Yêu cầu không còn trên máy chủ nhà cung cấp nên tệp chưa gửi được (tệp vẫn lưu trên máy này). Hãy gửi yêu cầu mới hoặc gọi %1.</source>
        <translation>The request is no longer on the vendor&apos;s server, so the file was not sent (it is still kept on this computer). Raise a new request or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="127"/>
        <source>Vui lòng nhập mục này.</source>
        <translation>Please fill this in.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="129"/>
        <location filename="../../app/ui/support/texts.py" line="314"/>
        <source>Quá dài (tối đa %1 ký tự).</source>
        <translation>Too long (at most %1 characters).</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="131"/>
        <location filename="../../app/ui/support/texts.py" line="319"/>
        <source>Tệp %1 lớn hơn 10 MB.</source>
        <translation>The file %1 is larger than 10 MB.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="133"/>
        <location filename="../../app/ui/support/texts.py" line="320"/>
        <source>Không đọc được tệp %1.</source>
        <translation>Cannot read the file %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="115"/>
        <source>Vui lòng nhập số điện thoại để kỹ thuật viên gọi lại.</source>
        <translation>Please enter a phone number so the technician can call back.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="117"/>
        <source>Số điện thoại chỉ gồm chữ số (có thể có +84).</source>
        <translation>A phone number has digits only (optionally +84).</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="119"/>
        <source>Số điện thoại không đủ hoặc thừa chữ số.</source>
        <translation>The phone number has too few or too many digits.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="120"/>
        <source>Đầu số không đúng (di động 10 số như 0912 345 678, cố định như 028 3822 1234).</source>
        <translation>Unknown prefix (mobiles have 10 digits like 0912 345 678, landlines look like 028 3822 1234).</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="134"/>
        <source>Số điện thoại không hợp lệ.</source>
        <translation>The phone number is not valid.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="23"/>
        <source>%1 giờ %2 phút</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="25"/>
        <source>%1 giờ</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="26"/>
        <source>%1 phút</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="37"/>
        <source>%1 hôm nay</source>
        <translation>%1 today</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="39"/>
        <source>%1 ngày mai</source>
        <translation>%1 tomorrow</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="43"/>
        <source>Hạn đề xuất phương án: %1 (đã quá hạn %2)</source>
        <translation>Solution due: %1 (overdue by %2)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="45"/>
        <source>Hạn đề xuất phương án: %1, còn %2</source>
        <translation>Solution due: %1, %2 left</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="66"/>
        <source>%1, %2, %3–%4, kỹ thuật viên %5</source>
        <translation>%1, %2, %3–%4, technician %5</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="139"/>
        <source>(chưa gửi)</source>
        <translation>(not sent yet)</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="33"/>
        <source>Không có hạn cam kết (cửa hàng không trong thời gian bảo hành/bảo trì); việc gấp gọi %1.</source>
        <translation>No committed deadline (the shop is not within a warranty or maintenance period); for anything urgent call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="50"/>
        <source>Thứ Hai</source>
        <translation>Monday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="50"/>
        <source>Thứ Ba</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="51"/>
        <source>Thứ Tư</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="51"/>
        <source>Thứ Năm</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="52"/>
        <source>Thứ Sáu</source>
        <translation>Friday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="52"/>
        <source>Thứ Bảy</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/time_texts.py" line="53"/>
        <source>Chủ Nhật</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="174"/>
        <source>Nhà cung cấp – %1</source>
        <translation>Vendor – %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="176"/>
        <source>Cửa hàng – %1</source>
        <translation>Shop – %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="177"/>
        <source>Hệ thống</source>
        <translation>System</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="181"/>
        <source>yêu cầu đã đóng; bấm “Lỗi xuất hiện lại” để mở lại</source>
        <translation>the request is closed; press “The problem is back” to reopen it</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="182"/>
        <source>không có phương án nào đang chờ cửa hàng trả lời</source>
        <translation>no proposed solution is waiting for the shop&apos;s answer</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="183"/>
        <source>không có lịch hẹn nào đang chờ cửa hàng xác nhận</source>
        <translation>no visit is waiting for the shop&apos;s confirmation</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="184"/>
        <source>nhà cung cấp đã đổi lịch hẹn; hãy xem lịch mới</source>
        <translation>the vendor changed the visit; see the new time</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="185"/>
        <source>yêu cầu chưa được giải quyết</source>
        <translation>the request has not been resolved</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="186"/>
        <source>yêu cầu này đã được đánh giá</source>
        <translation>this request has already been rated</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="187"/>
        <source>đã quá 7 ngày kể từ khi giải quyết; hãy gửi yêu cầu mới</source>
        <translation>more than 7 days have passed since it was resolved; please raise a new request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="189"/>
        <source>yêu cầu này đã có quá nhiều tệp đính kèm; hãy nhắn không kèm tệp hoặc gọi tổng đài</source>
        <translation>this request already has too many attached files; send the message without files or call the hotline</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="201"/>
        <source>máy chủ từ chối</source>
        <translation>the server refused</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="212"/>
        <source>Mở yêu cầu</source>
        <translation>Opened the request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="215"/>
        <location filename="../../app/ui/support/texts.py" line="217"/>
        <source>Chuyển trạng thái: %1</source>
        <translation>Status changed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="220"/>
        <source>Đề xuất phương án (%1): %2</source>
        <translation>Solution proposed (%1): %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="222"/>
        <source>Cửa hàng xác nhận: đã khắc phục</source>
        <translation>The shop confirmed: fixed</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="224"/>
        <source>Cửa hàng báo chưa khắc phục: %1</source>
        <translation>The shop says it is not fixed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="225"/>
        <source>Cửa hàng báo lỗi xuất hiện lại: %1</source>
        <translation>The shop says the problem is back: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="229"/>
        <source>Hạn đề xuất mới: %1.</source>
        <translation>New deadline for a proposed solution: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="232"/>
        <source>Đề xuất lịch đến tận nơi: %1</source>
        <translation>On-site visit proposed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="234"/>
        <source>Cửa hàng xác nhận lịch hẹn</source>
        <translation>The shop confirmed the visit</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="236"/>
        <source>Cửa hàng đề nghị giờ khác: %1</source>
        <translation>The shop asked for another time: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="238"/>
        <source>Đánh giá %1</source>
        <translation>Rated %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="242"/>
        <source>Đã đóng vì cửa hàng chưa trả lời phương án trong thời hạn</source>
        <translation>Closed because the shop did not answer the proposed solution in time</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="243"/>
        <source>Đã đóng yêu cầu</source>
        <translation>Request closed</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="249"/>
        <location filename="../../app/ui/support/texts.py" line="256"/>
        <source>chờ gửi</source>
        <translation>waiting to send</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="251"/>
        <source>không gửi được: %1</source>
        <translation>not sent: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="257"/>
        <source>đã gửi</source>
        <translation>sent</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="258"/>
        <source>bấm để tải về</source>
        <translation>click to download</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="259"/>
        <source>bấm để mở</source>
        <translation>click to open</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="260"/>
        <source>tệp không khớp mã kiểm tra, không mở</source>
        <translation>the file does not match its checksum, not opened</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="273"/>
        <source>Yêu cầu đang chờ gửi: máy sẽ tự gửi khi kết nối được máy chủ hỗ trợ. Việc gấp xin gọi %1.</source>
        <translation>The request is waiting to be sent: the PC will send it as soon as it reaches the support server. For urgent matters call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="276"/>
        <source>Trả lời của cửa hàng đang chờ gửi: máy sẽ tự gửi khi kết nối được, không cần bấm lại.</source>
        <translation>The shop&apos;s answer is waiting to be sent: the PC will send it as soon as it can connect; no need to press again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="280"/>
        <source>Cửa hàng cần trả lời: nhà cung cấp đề xuất đến %1. Bấm “Xác nhận lịch” hoặc “Đề nghị giờ khác”.</source>
        <translation>The shop needs to answer: the vendor proposes to come on %1. Press “Confirm visit” or “Ask for another time”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="284"/>
        <source>Cửa hàng cần trả lời: phương án đã khắc phục được lỗi chưa?</source>
        <translation>The shop needs to answer: did the proposed solution fix the problem?</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="287"/>
        <source>Nếu cửa hàng không trả lời trước %1, nhà cung cấp có thể đóng yêu cầu.</source>
        <translation>If the shop does not answer before %1, the vendor may close the request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="291"/>
        <source>Đã hẹn: %1. Kỹ thuật viên sẽ gọi trước khi đến.</source>
        <translation>Booked: %1. The technician will call before coming.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="296"/>
        <source>Đã xong. Nếu lỗi xuất hiện lại trước %1, bấm “Lỗi xuất hiện lại” thay vì gửi yêu cầu mới.</source>
        <translation>Done. If the problem comes back before %1, press “The problem is back” instead of raising a new request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="298"/>
        <source>Đã xong. Nếu có lỗi mới, hãy gửi yêu cầu mới.</source>
        <translation>Done. If there is a new problem, please raise a new request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="300"/>
        <source>Nhà cung cấp đã phát hiện sự cố trên máy bán hàng và mở yêu cầu thay cho cửa hàng; kỹ thuật viên sẽ liên hệ và đề xuất phương án trước %1. Cửa hàng có thể nhắn thêm thông tin bên dưới.</source>
        <translation>The vendor detected a problem on the till and opened this request for the shop; a technician will get in touch and propose a solution by %1. You can add information below.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="305"/>
        <source>Nhà cung cấp đang xử lý và sẽ đề xuất phương án trước %1. Cửa hàng có thể nhắn thêm thông tin bên dưới.</source>
        <translation>The vendor is working on it and will propose a solution before %1. The shop can add information below.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="308"/>
        <source>Nhà cung cấp đang xử lý. Việc gấp xin gọi %1.</source>
        <translation>The vendor is working on it. For urgent matters call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="312"/>
        <source>Vui lòng nhập tên người gửi.</source>
        <translation>Please enter the sender&apos;s name.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="313"/>
        <source>Hãy nhập nội dung hoặc đính kèm tệp.</source>
        <translation>Please type a message or attach a file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="315"/>
        <source>Hãy cho biết lý do.</source>
        <translation>Please give the reason.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="316"/>
        <source>Hãy cho biết ngày giờ nào tiện cho cửa hàng.</source>
        <translation>Please say which days or hours suit the shop.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="317"/>
        <source>Hãy chọn từ 1 đến 5 sao.</source>
        <translation>Please choose 1 to 5 stars.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="318"/>
        <source>Mỗi tin nhắn gửi kèm tối đa %1 tệp.</source>
        <translation>At most %1 files per message.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="331"/>
        <source>Không tìm thấy tệp này trong yêu cầu.</source>
        <translation>This file was not found in the request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="332"/>
        <source>Tệp chưa sẵn sàng trên máy chủ; hãy thử lại sau ít phút.</source>
        <translation>The file is not ready on the server yet; please try again in a few minutes.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="334"/>
        <source>Tệp tải về không khớp mã kiểm tra mà máy chủ công bố nên đã bị loại bỏ và không mở. Hãy nhắn bộ phận hỗ trợ gửi lại tệp.</source>
        <translation>The downloaded file does not match the checksum the server stated, so it was deleted and not opened. Ask the support team to send it again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/texts.py" line="337"/>
        <source>Tệp tải về không đúng kích thước mà máy chủ công bố nên đã bị loại bỏ và không mở. Hãy nhắn bộ phận hỗ trợ gửi lại tệp.</source>
        <translation>The downloaded file does not have the size the server stated, so it was deleted and not opened. Ask the support team to send it again.</translation>
    </message>
</context>
<context>
    <name>SupportTile</name>
    <message>
        <location filename="../../app/ui/support/tile.py" line="42"/>
        <source>Yêu cầu hỗ trợ</source>
        <translation>Support requests</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/tile.py" line="47"/>
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/support/tile.py" line="80"/>
        <source>%1 tin nhắn mới từ bộ phận hỗ trợ</source>
        <translation>
            <numerusform>%1 new message from the support team</numerusform>
            <numerusform>%1 new messages from the support team</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/support/tile.py" line="83"/>
        <source>Lịch hẹn: %1</source>
        <translation>Visit: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/tile.py" line="92"/>
        <source>Không có yêu cầu đang mở</source>
        <translation>No open requests</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/support/tile.py" line="94"/>
        <source>%1 yêu cầu đang mở</source>
        <translation>
            <numerusform>%1 open request</numerusform>
            <numerusform>%1 open requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/support/tile.py" line="102"/>
        <source>%1 yêu cầu chưa gửi được – sẽ tự gửi lại.</source>
        <translation>
            <numerusform>%1 request not sent yet – it will be sent automatically.</numerusform>
            <numerusform>%1 requests not sent yet – they will be sent automatically.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TaskProgress</name>
    <message>
        <location filename="../../app/ui/widgets/task_progress.py" line="22"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/task_progress.py" line="70"/>
        <source>Đang hủy…</source>
        <translation>Cancelling…</translation>
    </message>
</context>
<context>
    <name>TechnicianDialog</name>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="70"/>
        <source>Chế độ kỹ thuật viên</source>
        <translation>Technician mode</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="78"/>
        <source>Sao chép</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="81"/>
        <source>Dán hoặc gõ mã mở khóa</source>
        <translation>Paste or type the unlock code</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="97"/>
        <source>Khóa lại</source>
        <translation>Lock</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="107"/>
        <source>Nhật ký kỹ thuật viên</source>
        <translation>Technician log</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="73"/>
        <location filename="../../app/ui/technician/dialog.py" line="83"/>
        <source>Mở khóa</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="74"/>
        <source>Đọc mã thử thách này cho nhà cung cấp (%1) để nhận mã mở khóa:</source>
        <translation>Read this challenge to the vendor (%1) to get an unlock code:</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="95"/>
        <source>Chưa mở khóa.</source>
        <translation>Not unlocked.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="144"/>
        <source>Đã mở chế độ kỹ thuật viên cho %1.</source>
        <translation>Technician mode unlocked for %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="172"/>
        <source>Kiểm tra chi tiết</source>
        <translation>Detailed checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="172"/>
        <source>Nhật ký</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="172"/>
        <source>Cài đặt</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="173"/>
        <source>Bảo trì</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="173"/>
        <source>Sao lưu để cài lại</source>
        <translation>Backup for reinstall</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="195"/>
        <source>Phiên kỹ thuật viên đã hết hạn.</source>
        <translation>The technician session has expired.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="196"/>
        <source>Đã khóa chế độ kỹ thuật viên.</source>
        <translation>Technician mode is locked.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/dialog.py" line="212"/>
        <source>Theo đồng hồ của máy tính này, bây giờ là %1 (giờ Việt Nam). Nếu sai, hãy chỉnh lại ngày, giờ và múi giờ (UTC+07:00) của máy, rồi đọc mã thử thách mới ở trên cho nhà cung cấp.</source>
        <translation>By this computer&apos;s clock it is now %1 (Vietnam time). If that is wrong, correct the computer&apos;s date, time and time zone (UTC+07:00), then read the new challenge code above to the vendor.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/technician/dialog.py" line="228"/>
        <source>Kỹ thuật viên: %1 – còn %2 phút</source>
        <translation>
            <numerusform>Technician: %1 – %2 minute left</numerusform>
            <numerusform>Technician: %1 – %2 minutes left</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TechnicianTexts</name>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="17"/>
        <source>Mã mở khóa gõ chưa đúng: kiểm tra lại từng nhóm ký tự.</source>
        <translation>The unlock code is mistyped: check each group of characters.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="19"/>
        <source>Mã mở khóa không hợp lệ (chữ ký không khớp).</source>
        <translation>The unlock code is not valid (the signature does not match).</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="20"/>
        <source>Mã được ký bằng khóa không được tin cậy.</source>
        <translation>The code is signed with an untrusted key.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="21"/>
        <source>Mã này dành cho cửa hàng khác.</source>
        <translation>This code is for another shop.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="22"/>
        <source>Mã này dành cho một mã thử thách khác.</source>
        <translation>This code is for another challenge.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="23"/>
        <source>Mã mở khóa đã hết hạn.</source>
        <translation>The unlock code has expired.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="24"/>
        <source>Mã mở khóa này đã được dùng rồi.</source>
        <translation>This unlock code has already been used.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="25"/>
        <source>Nhập sai quá nhiều lần: tạm khóa 10 phút. Gọi %1 nếu cần.</source>
        <translation>Too many wrong codes: locked for 10 minutes. Call %1 if needed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="35"/>
        <source>Mở khóa chế độ kỹ thuật viên</source>
        <translation>Technician mode unlocked</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="36"/>
        <source>Khóa chế độ kỹ thuật viên</source>
        <translation>Technician mode locked</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="37"/>
        <source>Chạy kiểm tra chi tiết</source>
        <translation>Detailed checks run</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="38"/>
        <source>Xem nhật ký</source>
        <translation>Log viewed</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="39"/>
        <source>Tìm trong nhật ký</source>
        <translation>Log searched</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="40"/>
        <source>Lưu cài đặt</source>
        <translation>Settings saved</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="41"/>
        <source>Cập nhật ngay</source>
        <translation>Updates run</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="42"/>
        <source>Quay lại gói quy định trước</source>
        <translation>Regulation pack rolled back</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="43"/>
        <source>Kiểm tra toàn vẹn cơ sở dữ liệu</source>
        <translation>Database integrity checked</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="44"/>
        <source>Thu gọn cơ sở dữ liệu</source>
        <translation>Database compacted</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="45"/>
        <source>Xuất gói chẩn đoán</source>
        <translation>Diagnostics bundle exported</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="46"/>
        <source>Xuất nhật ký kỹ thuật viên</source>
        <translation>Technician log exported</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="47"/>
        <source>Gắn nhật ký vào yêu cầu hỗ trợ</source>
        <translation>Log attached to a support request</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="48"/>
        <source>Sao lưu để cài lại</source>
        <translation>Backed up for a reinstall</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="49"/>
        <source>Khôi phục từ bản sao lưu</source>
        <translation>Restored from a backup</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="50"/>
        <source>Xin phép hỗ trợ từ xa</source>
        <translation>Consent to remote support asked</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="51"/>
        <source>Bắt đầu phiên hỗ trợ từ xa</source>
        <translation>Remote session started</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="52"/>
        <source>Kết thúc phiên hỗ trợ từ xa</source>
        <translation>Remote session ended</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="61"/>
        <source>Thành công</source>
        <translation>Succeeded</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="62"/>
        <source>Lỗi</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="63"/>
        <source>Đồng ý</source>
        <translation>Approved</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="64"/>
        <source>Từ chối</source>
        <translation>Refused</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="65"/>
        <source>Hết thời gian chờ</source>
        <translation>Timed out</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="73"/>
        <source>Từ chối: %1</source>
        <translation>Refused: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="78"/>
        <source>Đã đọc được ID.</source>
        <translation>The ID was read.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="79"/>
        <source>Phần mềm này chỉ hiện ID trong cửa sổ của nó: hãy đọc ID trên cửa sổ và gõ vào đây.</source>
        <translation>This tool only shows its ID in its window: read it there and type it here.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="81"/>
        <source>Phần mềm không trả lời ID kịp: hãy gõ ID từ cửa sổ của nó.</source>
        <translation>The tool did not give its ID in time: type the ID from its window.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="83"/>
        <source>Phần mềm báo lỗi khi hỏi ID: hãy gõ ID từ cửa sổ của nó.</source>
        <translation>The tool reported an error when asked for its ID: type the ID from its window.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="85"/>
        <source>Không đọc được ID: hãy gõ ID từ cửa sổ của phần mềm.</source>
        <translation>Could not read the ID: type it from the tool&apos;s window.</translation>
    </message>
    <message>
        <location filename="../../app/ui/technician/texts.py" line="86"/>
        <source>Không chạy được phần mềm để hỏi ID.</source>
        <translation>Could not run the tool to ask for its ID.</translation>
    </message>
</context>
<context>
    <name>TelemetryBox</name>
    <message>
        <location filename="../../app/ui/fleet/telemetry_box.py" line="27"/>
        <source>Dữ liệu gửi cho nhà cung cấp</source>
        <translation>Data sent to the vendor</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/telemetry_box.py" line="32"/>
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/fleet/telemetry_box.py" line="39"/>
        <source>Xem dữ liệu gửi đi</source>
        <translation>View the data sent</translation>
    </message>
</context>
<context>
    <name>ThreadView</name>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="60"/>
        <location filename="../../app/ui/support/thread_html.py" line="75"/>
        <source>MỚI</source>
        <translation>NEW</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="100"/>
        <source>Phương án đề xuất</source>
        <translation>Proposed solution</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="104"/>
        <source>Mô tả</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="109"/>
        <source>đã gửi</source>
        <translation>sent</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="110"/>
        <source>chờ gửi</source>
        <translation>waiting to send</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="112"/>
        <source>Tệp đính kèm</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_html.py" line="137"/>
        <source>Trao đổi với bộ phận hỗ trợ</source>
        <translation>Conversation with the support team</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="87"/>
        <source>Đã khắc phục</source>
        <translation>Fixed</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="89"/>
        <source>Chưa khắc phục…</source>
        <translation>Not fixed…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="90"/>
        <source>Xác nhận lịch</source>
        <translation>Confirm visit</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="91"/>
        <source>Đề nghị giờ khác…</source>
        <translation>Ask for another time…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="92"/>
        <source>Đánh giá…</source>
        <translation>Rate…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="93"/>
        <source>Lỗi xuất hiện lại…</source>
        <translation>The problem is back…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="55"/>
        <source>Người gửi</source>
        <translation>Sender</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="58"/>
        <source>Người gửi:</source>
        <translation>Sender:</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="61"/>
        <location filename="../../app/ui/support/thread_view.py" line="215"/>
        <source>Nhắn cho bộ phận hỗ trợ: trả lời câu hỏi, báo thêm thông tin…</source>
        <translation>Message the support team: answer a question, add information…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="67"/>
        <source>Đính kèm tệp…</source>
        <translation>Attach files…</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="68"/>
        <location filename="../../app/ui/support/thread_view.py" line="276"/>
        <source>Gửi</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="147"/>
        <source>Chọn tệp gửi kèm</source>
        <translation>Choose files to attach</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="158"/>
        <source>Gửi kèm:</source>
        <translation>Attached:</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="169"/>
        <source>Bỏ tệp</source>
        <translation>Remove file</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/reply_box.py" line="172"/>
        <source>Bỏ tệp %1</source>
        <translation>Remove file %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="210"/>
        <source>Yêu cầu đã đóng. Nếu lỗi xuất hiện lại, bấm “Lỗi xuất hiện lại” hoặc gửi yêu cầu mới.</source>
        <translation>The request is closed. If the problem comes back, press “The problem is back” or raise a new request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="213"/>
        <source>Có thể nhắn khi yêu cầu đã đến bộ phận hỗ trợ.</source>
        <translation>You can send messages once the request has reached the support team.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="235"/>
        <source>Vui lòng nhập tên người gửi.</source>
        <translation>Please enter the sender&apos;s name.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="238"/>
        <source>Hãy nhập nội dung hoặc đính kèm tệp.</source>
        <translation>Please type a message or attach a file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="241"/>
        <source>Tin nhắn quá dài (tối đa %1 ký tự).</source>
        <translation>Message too long (at most %1 characters).</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="273"/>
        <source>Chưa khắc phục</source>
        <translation>Not fixed</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="274"/>
        <source>Phương án chưa khắc phục được lỗi? Hãy cho biết lỗi còn thế nào. Yêu cầu sẽ được mở lại với hạn đề xuất phương án mới.</source>
        <translation>The proposed solution did not fix the problem? Tell us what is still wrong. The request will be reopened with a new deadline for a proposed solution.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="275"/>
        <source>Ví dụ: vẫn không in được tem, máy in báo lỗi đèn đỏ</source>
        <translation>For example: labels still do not print, the printer shows a red light</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="288"/>
        <source>Đề nghị giờ khác</source>
        <translation>Ask for another time</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="289"/>
        <source>Giờ hẹn chưa tiện cho cửa hàng? Hãy cho biết ngày giờ nào tiện để nhà cung cấp hẹn lại.</source>
        <translation>The visit time does not suit the shop? Tell us which days or hours suit, so the vendor can book again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="290"/>
        <source>Ví dụ: sáng thứ Ba hoặc sau 17:00 các ngày trong tuần</source>
        <translation>For example: Tuesday morning, or after 17:00 on weekdays</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="290"/>
        <source>Gửi đề nghị</source>
        <translation>Ask for this time</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="311"/>
        <source>Lỗi xuất hiện lại</source>
        <translation>The problem is back</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="312"/>
        <source>Lỗi đã được giải quyết nay lại xuất hiện? Yêu cầu sẽ được mở lại với hạn đề xuất phương án mới, không cần gửi yêu cầu mới.</source>
        <translation>The problem was resolved but has come back? The request will be reopened with a new deadline for a proposed solution; no need to raise a new request.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="313"/>
        <source>Ví dụ: từ sáng nay máy quét lại ra chữ có dấu</source>
        <translation>For example: since this morning the scanner types accented letters again</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="314"/>
        <source>Mở lại yêu cầu</source>
        <translation>Reopen the request</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="346"/>
        <source>Đã lưu; đang gửi cho bộ phận hỗ trợ.</source>
        <translation>Saved; sending to the support team.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="347"/>
        <location filename="../../app/ui/support/thread_view.py" line="353"/>
        <source>Đã gửi cho bộ phận hỗ trợ.</source>
        <translation>Sent to the support team.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="355"/>
        <location filename="../../app/ui/support/thread_view.py" line="372"/>
        <source>Không thực hiện được: %1.</source>
        <translation>Could not do it: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="358"/>
        <source>Đã lưu nhưng chưa gửi được: %1. Máy sẽ tự gửi lại, không cần bấm lại; việc gấp xin gọi %2.</source>
        <translation>Saved but not sent yet: %1. It will be sent again by itself, no need to press again; for anything urgent call %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="369"/>
        <source>Không đọc được tệp %1 (tệp đã bị xóa, bị chuyển đi hoặc USB đã rút ra) nên đã bỏ tệp khỏi tin nhắn. Hãy chọn lại tệp nếu cần rồi bấm “Gửi”.</source>
        <translation>The file %1 could not be read (it was deleted or moved, or the USB stick was pulled out), so it was taken out of the message. Choose the file again if needed, then press “Send”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="377"/>
        <source>Không lưu được: %1</source>
        <translation>Could not save: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/support/thread_view.py" line="403"/>
        <source>Không tải được tệp: %1. Việc gấp xin gọi %2.</source>
        <translation>Could not download the file: %1. For anything urgent call %2.</translation>
    </message>
</context>
<context>
    <name>ToolContext</name>
    <message>
        <location filename="../../app/ui/technician/context.py" line="54"/>
        <source>đã hủy</source>
        <translation>cancelled</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../app/ui/tray.py" line="52"/>
        <source>Mở PMV Support Assistant</source>
        <translation>Open PMV Support Assistant</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="53"/>
        <source>Gửi yêu cầu hỗ trợ…</source>
        <translation>Raise a support request…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="54"/>
        <source>Đường dây nóng 24/7: %1</source>
        <translation>24/7 hotline: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="55"/>
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="86"/>
        <source>Hệ thống hoạt động bình thường</source>
        <translation>Everything is working normally</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="87"/>
        <source>Có thông tin mới</source>
        <translation>There is news</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="88"/>
        <source>Có mục cần chú ý</source>
        <translation>Something needs attention</translation>
    </message>
    <message>
        <location filename="../../app/ui/notices.py" line="89"/>
        <source>Có sự cố cần xử lý</source>
        <translation>There is a problem to fix</translation>
    </message>
</context>
<context>
    <name>UpdateTexts</name>
    <message>
        <location filename="../../app/ui/updates/time_texts.py" line="15"/>
        <source>có hiệu lực từ %1 (còn %2 ngày)</source>
        <comment>one</comment>
        <translation>in force from %1 (%2 day to go)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/time_texts.py" line="16"/>
        <source>có hiệu lực từ %1 (còn %2 ngày)</source>
        <translation>in force from %1 (%2 days to go)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/time_texts.py" line="18"/>
        <source>đã có hiệu lực từ %1</source>
        <translation>in force since %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="16"/>
        <source>Bản cập nhật không có chữ ký hợp lệ của nhà cung cấp (có thể đã bị sửa hoặc máy chủ bị giả mạo): không cài gì, giữ nguyên bản đang dùng. Hãy gọi %1.</source>
        <translation>The update does not carry a valid vendor signature (it may have been altered, or the server impersonated): nothing was installed and the current versions are kept. Please call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="19"/>
        <source>Không tải được bản cập nhật (mạng); sẽ tự thử lại sau.</source>
        <translation>The update could not be downloaded (network); it will be retried automatically.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="20"/>
        <source>Máy chủ gửi dữ liệu lớn hơn bản đã ký: đã dừng, không cài.</source>
        <translation>The server sent more data than was signed: stopped, nothing installed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="22"/>
        <source>Tệp tải về không khớp bản đã ký: không cài.</source>
        <translation>The downloaded file does not match the signed one: not installed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="23"/>
        <source>Đã dừng; phần đã tải được giữ để tải tiếp.</source>
        <translation>Stopped; what was downloaded is kept to continue later.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="24"/>
        <source>Đang có một lần cập nhật khác chạy.</source>
        <translation>Another update run is in progress.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="25"/>
        <source>Không ghi được vào ổ đĩa (đầy hoặc không có quyền).</source>
        <translation>Cannot write to the disk (full or no permission).</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="34"/>
        <source>chuyển khoản</source>
        <translation>bank transfer</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="35"/>
        <source>tiền mặt</source>
        <translation>cash</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="36"/>
        <source>thẻ</source>
        <translation>card</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="37"/>
        <source>ví điện tử</source>
        <translation>e-wallet</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="38"/>
        <source>phiếu quà tặng</source>
        <translation>gift voucher</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="46"/>
        <source>bán ra và mua vào cộng lại</source>
        <translation>sales and buy-backs added together</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="48"/>
        <source>chỉ tính bán ra</source>
        <translation>sales only</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="50"/>
        <source>chỉ tính mua vào</source>
        <translation>buy-backs only</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="52"/>
        <source>Từ %1 mỗi khách mỗi ngày (%2) phải trả qua tài khoản ngân hàng (được tính: %3)</source>
        <translation>From %1 per customer per day (%2), payment must go through bank accounts (accepted: %3)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="55"/>
        <source>Trên %1 mỗi khách mỗi ngày (%2) phải trả qua tài khoản ngân hàng (được tính: %3)</source>
        <translation>Above %1 per customer per day (%2), payment must go through bank accounts (accepted: %3)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="67"/>
        <source>Thuế GTGT %1% cho %2</source>
        <translation>VAT %1% on %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="70"/>
        <source>Báo cáo từ %1: %2</source>
        <translation>Report from %1: %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="73"/>
        <source>Tem phải ghi: %1</source>
        <translation>Tags must show: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="76"/>
        <source>Hóa đơn phải có: %1</source>
        <translation>Invoices must include: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="141"/>
        <source>Không tìm thấy thư mục %1 (USB đã bị rút ra?). Hãy cắm lại USB rồi chọn lại.</source>
        <translation>Folder %1 not found (was the USB stick removed?). Plug it in again and choose again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="143"/>
        <source>%1 là một tệp, không phải thư mục. Hãy chọn thư mục bản cập nhật trên USB.</source>
        <translation>%1 is a file, not a folder. Choose the update folder on the USB stick.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="145"/>
        <source>Thư mục %1 không phải bản cập nhật của nhà cung cấp (không có thư mục metadata). Hãy chọn thư mục nhà cung cấp đã chép vào USB (%2).</source>
        <translation>Folder %1 is not the vendor&apos;s update copy (no metadata folder). Choose the folder the vendor copied to the USB stick (%2).</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="148"/>
        <source>Bản cập nhật trong %1 chưa được chép xong. Hãy xin nhà cung cấp chép lại (%2).</source>
        <translation>The update copy in %1 was not finished. Ask the vendor to write it again (%2).</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="187"/>
        <source>Bản cập nhật trên USB đã hết hạn từ %1 (%2 ngày trước). Hãy xin nhà cung cấp một bản mới (%3). Không cài gì; máy vẫn dùng bản hiện có.</source>
        <comment>one</comment>
        <translation>The update copy on the USB stick expired on %1 (%2 day ago). Ask the vendor for a new copy (%3). Nothing was installed; this PC keeps what it has.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="189"/>
        <source>Bản cập nhật trên USB đã hết hạn từ %1 (%2 ngày trước). Hãy xin nhà cung cấp một bản mới (%3). Không cài gì; máy vẫn dùng bản hiện có.</source>
        <translation>The update copy on the USB stick expired on %1 (%2 days ago). Ask the vendor for a new copy (%3). Nothing was installed; this PC keeps what it has.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="161"/>
        <source>Bản cập nhật trên USB đã hết hạn. Hãy xin nhà cung cấp một bản mới (%1). Không cài gì; máy vẫn dùng bản hiện có.</source>
        <translation>The update copy on the USB stick has expired. Ask the vendor for a new copy (%1). Nothing was installed; this PC keeps what it has.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="170"/>
        <source>Bản cập nhật trên USB không phải của nhà cung cấp của bạn (chữ ký không khớp). Không cài gì; máy vẫn dùng bản hiện có. Gọi %1 nếu không rõ USB này từ đâu.</source>
        <translation>The update copy on the USB stick is not from your vendor (the signatures do not match). Nothing was installed; this PC keeps what it has. Call %1 if you do not know where this stick came from.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="164"/>
        <source>Bản cập nhật trên USB cũ hơn bản máy này đã có. Không cài gì; máy vẫn dùng bản hiện có. Hãy xin nhà cung cấp một bản mới (%1).</source>
        <translation>The update copy on the USB stick is older than what this PC already has. Nothing was installed; this PC keeps what it has. Ask the vendor for a new copy (%1).</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="85"/>
        <source>%1, từ ngày %2</source>
        <translation>%1, from %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="90"/>
        <source>%1 (từ ngày %2)</source>
        <translation>%1 (from %2)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="103"/>
        <source>Thêm: %1</source>
        <translation>Added: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="105"/>
        <source>Bỏ: %1</source>
        <translation>Removed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="107"/>
        <source>Trước: %1. Nay: %2</source>
        <translation>Before: %1. Now: %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="173"/>
        <source>Bản cập nhật trên USB đã bị sửa hoặc hỏng (không khớp chữ ký của nhà cung cấp). Không cài gì; máy vẫn dùng bản hiện có. Hãy chép lại từ nhà cung cấp hoặc gọi %1.</source>
        <translation>The update copy on the USB stick was altered or is damaged (it does not match the vendor&apos;s signatures). Nothing was installed; this PC keeps what it has. Copy it again from the vendor or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="176"/>
        <source>Bản cập nhật trên USB thiếu tệp hoặc không đọc được. Không cài thêm gì; hãy chép lại đầy đủ từ nhà cung cấp rồi thử lại.</source>
        <translation>The update copy on the USB stick is missing a file or cannot be read. Nothing more was installed; copy it again in full from the vendor and try again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="199"/>
        <source>%1 (bản %2)</source>
        <translation>%1 (version %2)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="204"/>
        <source>Chưa cài được %1: phiên bản phần mềm này không đọc được gói này; các bản cập nhật khác vẫn được cài. Hãy gọi %2.</source>
        <translation>Could not install %1: this version of the app cannot read it; the other updates were installed. Call %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="213"/>
        <source>Đã cài gói quy định: %1.</source>
        <translation>Regulation packs installed: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="221"/>
        <source>Đã cài từ USB: %1.</source>
        <translation>Installed from USB: %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="225"/>
        <source>Bản phần mềm %1 đã sẵn sàng để cài.</source>
        <translation>Version %1 of the app is ready to install.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="228"/>
        <source>Bản phần mềm %1 có trên USB, nhưng bản cài trên máy này không tự cập nhật được: hãy cài bằng bộ cài của nhà cung cấp.</source>
        <translation>App version %1 is on the USB stick, but this installation cannot update itself: install it with the vendor&apos;s installer.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="235"/>
        <source>Chưa đến lượt máy này nhận %1 (nhà cung cấp đang phát hành dần).</source>
        <translation>This PC is not yet due to receive %1 (the vendor is releasing it gradually).</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/texts.py" line="238"/>
        <source>Bản cập nhật trên USB hợp lệ; máy này đã có đủ, không có gì mới.</source>
        <translation>The update copy on the USB stick is valid; this PC already has everything on it.</translation>
    </message>
</context>
<context>
    <name>UpdatesPage</name>
    <message>
        <location filename="../../app/ui/updates/page.py" line="59"/>
        <source>Cập nhật quy định và phần mềm</source>
        <translation>Regulation and software updates</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="60"/>
        <source>Các gói quy định kinh doanh vàng do nhà cung cấp ký số, được tự động tải và cài trước ngày có hiệu lực.</source>
        <translation>Gold-trading regulation packs, digitally signed by the vendor, downloaded and installed automatically before they take effect.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="63"/>
        <source>Kiểm tra cập nhật</source>
        <translation>Check for updates</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="64"/>
        <source>Cập nhật từ USB…</source>
        <translation>Update from USB…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="65"/>
        <source>Cài các gói quy định và bản phần mềm từ bản sao nhà cung cấp chép vào USB, khi máy không có Internet. Bản sao được kiểm tra chữ ký như khi tải về.</source>
        <translation>Install regulation packs and app builds from the copy the vendor put on a USB stick, when this PC has no Internet. The copy&apos;s signatures are checked as for a download.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="67"/>
        <location filename="../../app/ui/updates/page.py" line="313"/>
        <source>Quay lại bản trước</source>
        <translation>Roll back</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="74"/>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="80"/>
        <source>Gói quy định</source>
        <translation>Regulation pack</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="80"/>
        <source>Phiên bản</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="80"/>
        <source>Hiệu lực</source>
        <translation>In force</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="81"/>
        <source>Bản trước</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="122"/>
        <source>Đang kiểm tra cập nhật…</source>
        <translation>Checking for updates…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="142"/>
        <source>Lần kiểm tra thành công gần nhất: %1</source>
        <translation>Last successful check: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="152"/>
        <source>Chưa có gói quy định nào trên máy này. Bấm “Kiểm tra cập nhật” để tải các gói do nhà cung cấp ký; gói mới cũng được tự động tải và cài trước ngày có hiệu lực.</source>
        <translation>There are no regulation packs on this PC yet. Press “Check for updates” to download the packs signed by the vendor; new packs are also downloaded and installed automatically before they take effect.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="154"/>
        <source>Chọn một gói quy định trong bảng phía trên để xem nội dung thay đổi và ngày có hiệu lực.</source>
        <translation>Select a regulation pack in the table above to see what it changes and when it takes effect.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="167"/>
        <source>Chọn một gói có bản trước (cột “Bản trước”) để quay lại bản đó.</source>
        <translation>Choose a pack that has a previous version (the “Previous” column) to go back to it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="174"/>
        <source>Không đọc được nội dung gói này trên máy; bấm “Kiểm tra cập nhật” để tải lại.</source>
        <translation>The contents of this pack cannot be read on this PC; press “Check for updates” to download it again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="180"/>
        <source>Thay đổi so với bản %1</source>
        <translation>Changes since version %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="181"/>
        <source>Không thay đổi quy tắc nào</source>
        <translation>No rule changed</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="193"/>
        <source>%1 (phiên bản %2)</source>
        <translation>%1 (version %2)</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="195"/>
        <source>Đã cài gói quy định: %1</source>
        <translation>Installed: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="197"/>
        <source>Bản phần mềm %1 đã sẵn sàng để cài.</source>
        <translation>App version %1 is ready to install.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="200"/>
        <source>Đã cập nhật đầy đủ: không có gói mới.</source>
        <translation>Up to date: no new packs.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="210"/>
        <source>Máy này chưa nhận được cập nhật tự động: thiếu khóa xác thực của nhà cung cấp (đi kèm bộ cài). Gọi %1 để kỹ thuật viên cài lại; phần mềm và các gói quy định hiện có vẫn dùng bình thường.</source>
        <translation>This PC cannot receive automatic updates: the vendor&apos;s verification key (shipped with the installer) is missing. Call %1 to have a technician reinstall it; the software and the regulation packs already here keep working.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="219"/>
        <source>Gói này chưa được cài trên máy này nên không có gì để quay lại.</source>
        <translation>This pack is not installed on this PC, so there is nothing to go back to.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="221"/>
        <source>Gói này không có bản trước để quay lại; bản đang dùng được giữ nguyên.</source>
        <translation>This pack has no earlier version to go back to; the one in use is kept.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="225"/>
        <source>Một tiến trình khác (cập nhật tự động) đang cài gói quy định; hãy chờ một lát rồi thử lại. Không có gì bị thay đổi.</source>
        <translation>Another process (the automatic update) is installing regulation packs; wait a moment, then try again. Nothing was changed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="229"/>
        <source>Không kiểm tra được cập nhật do lỗi không mong muốn; không cài gì, phần mềm và các gói quy định vẫn như trước. Gọi %1 nếu lỗi lặp lại.</source>
        <translation>Could not check for updates because of an unexpected error; nothing was installed, and the software and the regulation packs are as before. Call %1 if it happens again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="236"/>
        <source>Chọn thư mục bản cập nhật trên USB</source>
        <translation>Choose the update folder on the USB stick</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="248"/>
        <source>Đang kiểm tra bản cập nhật trong %1…</source>
        <translation>Checking the update copy in %1…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="252"/>
        <source>Đang cập nhật từ USB…</source>
        <translation>Updating from USB…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="260"/>
        <source>Đang dừng…</source>
        <translation>Stopping…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="266"/>
        <source>Đang cài %1…</source>
        <translation>Installing %1…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="296"/>
        <source>Đã dừng cập nhật từ USB; các gói đã cài xong trước đó vẫn được giữ.</source>
        <translation>Update from USB stopped; packs already installed are kept.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="303"/>
        <source>Quay lại %1 bản %2 và bỏ bản %3? Bản %3 sẽ không tự cài lại trên máy này; bản mới hơn của nhà cung cấp vẫn được cài như thường.</source>
        <translation>Go back to %1 version %2 and give up version %3? Version %3 will not install itself again on this PC; a newer version from the vendor still installs as usual.</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="317"/>
        <source>Đã quay lại %1 bản %2 (bỏ bản %3).</source>
        <translation>Went back to %1 version %2 (version %3 given up).</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/page.py" line="322"/>
        <source>Đã dừng kiểm tra cập nhật; các gói đã cài xong trước đó vẫn được giữ.</source>
        <translation>Update check stopped; packs already installed before that are kept.</translation>
    </message>
</context>
<context>
    <name>UpdatesTile</name>
    <message>
        <location filename="../../app/ui/updates/tile.py" line="29"/>
        <source>Gói quy định</source>
        <translation>Regulation packs</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/tile.py" line="30"/>
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/tile.py" line="42"/>
        <source>Chưa có gói quy định nào</source>
        <translation>No regulation packs yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/updates/tile.py" line="42"/>
        <source>Vào mục Cập nhật để kiểm tra.</source>
        <translation>Open Updates to check.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/updates/tile.py" line="47"/>
        <source>%1 gói đã cài</source>
        <translation>
            <numerusform>%1 pack installed</numerusform>
            <numerusform>%1 packs installed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WarrantyPage</name>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="63"/>
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="78"/>
        <source>Số hợp đồng</source>
        <translation>Contract number</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="79"/>
        <source>Nhà cung cấp</source>
        <translation>Vendor</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="80"/>
        <source>Gói phần mềm</source>
        <translation>Software package</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="81"/>
        <source>Ngày nghiệm thu</source>
        <translation>Acceptance date</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="82"/>
        <source>Thời hạn bảo hành</source>
        <translation>Warranty term</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="83"/>
        <source>Hợp đồng bảo trì đang hiệu lực</source>
        <translation>Maintenance contract in force</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="84"/>
        <source>Khách hàng ưu tiên</source>
        <translation>Priority customer</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="98"/>
        <source>Từ ngày</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="98"/>
        <source>Đến hết ngày</source>
        <translation>Through</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="98"/>
        <source>Gói bảo trì</source>
        <translation>Maintenance tier</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="107"/>
        <source>Tải lại hợp đồng</source>
        <translation>Reload the contract</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="109"/>
        <source>Lưu phiếu bảo hành (PDF)…</source>
        <translation>Save the certificate (PDF)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="110"/>
        <source>Đề nghị gia hạn…</source>
        <translation>Ask to renew…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="164"/>
        <source>Bấm “Tải lại hợp đồng”, hoặc “Nhập hợp đồng từ tệp” nếu máy không có Internet.</source>
        <translation>Press “Reload the contract”, or “Import contract from file” if this PC has no Internet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="108"/>
        <source>Nhập hợp đồng từ tệp…</source>
        <translation>Import contract from file…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="120"/>
        <source>Thời gian được hỗ trợ</source>
        <translation>Coverage over time</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="121"/>
        <source>Các hợp đồng bảo trì</source>
        <translation>Maintenance contracts</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="122"/>
        <source>Bảo hành và bảo trì bao gồm</source>
        <translation>Warranty and maintenance include</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="134"/>
        <source>Đang đọc hợp đồng…</source>
        <translation>Reading the contract…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="163"/>
        <source>Chưa có hợp đồng</source>
        <translation>No contract yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="173"/>
        <source>Bảo hành %1 tháng bắt đầu từ ngày nghiệm thu %2. Trong lúc triển khai, gọi %3 khi cần hỗ trợ.</source>
        <translation>The %1-month warranty begins on the acceptance date, %2. While the shop is being set up, call %3 for help.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="177"/>
        <source>Cửa hàng không còn được bảo hành hay bảo trì. Yêu cầu hỗ trợ chỉ được xử lý khi có thể; hãy gia hạn bảo trì hoặc gọi %1.</source>
        <translation>The shop is no longer under warranty or maintenance. Support requests are handled on a best-effort basis; renew maintenance or call %1.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/warranty/page.py" line="182"/>
        <source>Còn %1 ngày – được hỗ trợ đến hết ngày %2.</source>
        <translation>
            <numerusform>%1 day left – covered through %2.</numerusform>
            <numerusform>%1 days left – covered through %2.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="185"/>
        <source>Sắp hết hạn: hãy gia hạn bảo trì để không bị gián đoạn hỗ trợ.</source>
        <translation>Ending soon: renew maintenance so support is not interrupted.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="192"/>
        <location filename="../../app/ui/warranty/texts.py" line="136"/>
        <source>(hợp đồng không ghi)</source>
        <translation>(not stated in the contract)</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="197"/>
        <source>%1 tháng, đến hết ngày %2</source>
        <translation>%1 months, through %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="202"/>
        <source>%1 → %2 (%3)</source>
        <translation>%1 → %2 (%3)</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="204"/>
        <source>Không có</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="206"/>
        <source>Có</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="206"/>
        <source>Không</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="246"/>
        <source>Không cập nhật được hợp đồng: %1. Hợp đồng đang lưu trên máy vẫn được dùng.</source>
        <translation>The contract could not be updated: %1. The contract saved on this PC is still used.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="253"/>
        <source>Không đọc được tệp: %1. Hãy chọn lại tệp hợp đồng nhà cung cấp gửi.</source>
        <translation>The file could not be read: %1. Choose the contract file the vendor sent again.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="274"/>
        <source>Không lưu được phiếu bảo hành: %1. Hãy chọn nơi khác để lưu.</source>
        <translation>The warranty certificate could not be saved: %1. Choose another place to save it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="138"/>
        <source>%1 – MST %2</source>
        <translation>%1 – tax code %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="217"/>
        <source>Đang cập nhật hợp đồng từ máy chủ…</source>
        <translation>Updating the contract from the server…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="222"/>
        <source>Đã cập nhật hợp đồng mới từ máy chủ.</source>
        <translation>A new contract was received from the server.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="224"/>
        <source>Hợp đồng trên máy đã là bản mới nhất.</source>
        <translation>The contract on this PC is already the latest.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="234"/>
        <source>Chọn tệp hợp đồng</source>
        <translation>Choose the contract file</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="234"/>
        <source>Hợp đồng (*.json);;Mọi tệp (*)</source>
        <translation>Contracts (*.json);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="242"/>
        <source>Đã nhập hợp đồng của %1.</source>
        <translation>Imported the contract of %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="258"/>
        <source>Lưu phiếu bảo hành</source>
        <translation>Save warranty certificate</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="272"/>
        <source>Đã lưu phiếu bảo hành: %1</source>
        <translation>Warranty certificate saved: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="276"/>
        <source>Đang tạo phiếu bảo hành…</source>
        <translation>Creating the warranty certificate…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="282"/>
        <source>Đề nghị gia hạn hợp đồng bảo trì cho cửa hàng %1.</source>
        <translation>Request to renew the maintenance contract for the shop %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="285"/>
        <source>Hiện được hỗ trợ đến hết ngày %1.</source>
        <translation>Currently covered through %1.</translation>
    </message>
</context>
<context>
    <name>WarrantyTexts</name>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="18"/>
        <source>Đang bảo hành</source>
        <translation>Under warranty</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="19"/>
        <source>Đang bảo trì – khách hàng ưu tiên</source>
        <translation>Under maintenance – priority customer</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="20"/>
        <source>Hết hạn bảo hành</source>
        <translation>Warranty expired</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="26"/>
        <source>Chưa nghiệm thu</source>
        <translation>Not yet accepted</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="30"/>
        <source>Tiêu chuẩn</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="31"/>
        <source>Ưu tiên</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="42"/>
        <source>Tệp này không phải là hợp đồng của Phần Mềm Vàng.</source>
        <translation>This file is not a Phần Mềm Vàng contract.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="43"/>
        <source>Hợp đồng không có chữ ký số.</source>
        <translation>The contract has no digital signature.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="44"/>
        <source>Hợp đồng được ký bằng một khóa mà ứng dụng không tin cậy.</source>
        <translation>The contract is signed with a key this app does not trust.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="46"/>
        <source>Chữ ký số không khớp: nội dung hợp đồng đã bị sửa sau khi ký.</source>
        <translation>The digital signature does not match: the contract was changed after it was signed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="48"/>
        <source>Hợp đồng này là của một cửa hàng khác.</source>
        <translation>This contract belongs to another shop.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="49"/>
        <source>Nội dung hợp đồng không hợp lệ (thiếu mục, sai ngày, thời hạn, số hợp đồng hoặc thông tin nhà cung cấp).</source>
        <translation>The contract&apos;s content is not valid (a missing field, or wrong dates, terms, contract number or vendor details).</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="61"/>
        <source>Hợp đồng đang dùng vẫn được giữ nguyên. Cần hỗ trợ, gọi %1.</source>
        <translation>The contract in use is kept unchanged. For help, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="67"/>
        <source>Tệp hợp đồng có khóa trùng lặp (“%1”): tệp bị từ chối.</source>
        <translation>The contract file has a key given twice (“%1”): the file was refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="69"/>
        <source>Tệp hợp đồng có giá trị số không hợp lệ (NaN hoặc Infinity) ở “%1”: tệp bị từ chối.</source>
        <translation>The contract file has an invalid number (NaN or Infinity) at “%1”: the file was refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="71"/>
        <source>Tệp hợp đồng có số quá lớn ở “%1”: tệp bị từ chối.</source>
        <translation>The contract file has a number too large at “%1”: the file was refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="73"/>
        <source>Tệp hợp đồng có ký tự hỏng ở “%1”: tệp bị từ chối.</source>
        <translation>The contract file has a broken character at “%1”: the file was refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="77"/>
        <source>Tệp hợp đồng không phải văn bản UTF-8: tệp bị từ chối.</source>
        <translation>The contract file is not UTF-8 text: the file was refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="78"/>
        <source>Tệp hợp đồng lồng nhau quá nhiều tầng: tệp bị từ chối.</source>
        <translation>The contract file is nested too deeply: the file was refused.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="95"/>
        <source>Máy này chưa được cài mã kết nối cửa hàng. Kỹ thuật viên cài bằng lệnh “pmv-support shop-token”.</source>
        <translation>This PC has no shop connection token yet. A technician installs it with “pmv-support shop-token”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="98"/>
        <source>Không kết nối được máy chủ hỗ trợ (mất mạng?).</source>
        <translation>Cannot reach the support server (no network?).</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="99"/>
        <source>Máy chủ hỗ trợ không trả lời kịp.</source>
        <translation>The support server did not answer in time.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="100"/>
        <source>Máy chủ từ chối mã kết nối của cửa hàng.</source>
        <translation>The server refused the shop&apos;s connection token.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="101"/>
        <source>Máy chủ chưa có hợp đồng cho cửa hàng này.</source>
        <translation>The server has no contract for this shop yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="102"/>
        <source>Máy chủ hỗ trợ từ chối vì yêu cầu quá lớn.</source>
        <translation>The support server refused the request as too large.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="103"/>
        <source>Máy chủ hỗ trợ đang gặp lỗi.</source>
        <translation>The support server is having a problem.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="104"/>
        <source>Máy chủ trả lời không đúng định dạng.</source>
        <translation>The server&apos;s answer was not in the expected format.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="111"/>
        <source>Đang dùng hợp đồng đã lưu trên máy.</source>
        <translation>Using the contract saved on this PC.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="113"/>
        <source>Máy này chưa có hợp đồng: hãy thử lại khi có mạng, nhập tệp hợp đồng nhà cung cấp gửi, hoặc gọi %1.</source>
        <translation>This PC has no contract yet: try again when online, import the contract file the vendor sent, or call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="121"/>
        <source>Khắc phục sự cố: đề xuất phương án trong tối đa 2–4 giờ làm việc; hướng dẫn qua điện thoại, email, truy cập từ xa hoặc cử nhân viên đến tận nơi.</source>
        <translation>Incident resolution: a proposed solution within 2–4 working hours at most; guidance by phone, e-mail, remote session, or a technician on site.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="123"/>
        <source>Hướng dẫn sử dụng phần mềm qua điện thoại, fax, email hoặc truy cập từ xa.</source>
        <translation>Help using the software by phone, fax, e-mail or remote session.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="124"/>
        <source>Cập nhật phiên bản mới khi có quy định mới về kinh doanh vàng.</source>
        <translation>New versions when new gold-trading regulations come out.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="125"/>
        <source>Cài đặt lại phần mềm khi máy tính gặp sự cố.</source>
        <translation>Reinstalling the software when the computer fails.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="126"/>
        <source>Hỗ trợ lỗi thiết bị mã vạch; đường dây nóng %1 trực 24/7.</source>
        <translation>Support for barcode device problems; the hotline %1 is staffed 24/7.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="127"/>
        <source>Có hợp đồng bảo trì: được hỗ trợ ưu tiên (2 giờ cho sự cố nghiêm trọng và mức cao, 4 giờ cho mức thường).</source>
        <translation>With a maintenance contract: priority support (2 hours for critical and high severity, 4 hours for normal).</translation>
    </message>
</context>
<context>
    <name>WarrantyTile</name>
    <message>
        <location filename="../../app/ui/warranty/tile.py" line="38"/>
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/tile.py" line="39"/>
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/tile.py" line="50"/>
        <source>Chưa có hợp đồng</source>
        <translation>No contract yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/tile.py" line="50"/>
        <source>Vào mục Bảo hành &amp; bảo trì để cập nhật.</source>
        <translation>Open Warranty &amp; maintenance to update it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/tile.py" line="54"/>
        <source>Bảo hành từ ngày %1</source>
        <translation>Warranty from %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/tile.py" line="58"/>
        <source>Gọi %1 hoặc gia hạn bảo trì.</source>
        <translation>Call %1 or renew maintenance.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/warranty/tile.py" line="61"/>
        <source>Còn %1 ngày (đến hết %2)</source>
        <translation>
            <numerusform>%1 day left (through %2)</numerusform>
            <numerusform>%1 days left (through %2)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>_PathRow</name>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="46"/>
        <source>Chọn…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="63"/>
        <source>Chọn tệp dữ liệu PMV</source>
        <translation>Choose the PMV database file</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/pos_page.py" line="65"/>
        <source>Chọn thư mục</source>
        <translation>Choose a folder</translation>
    </message>
</context>
</TS>
