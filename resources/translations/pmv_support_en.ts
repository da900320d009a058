<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/ui/about.py" line="22" />
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="26" />
        <source>Phiên bản %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="29" />
        <source>Trợ lý hỗ trợ của Phần Mềm Vàng: kiểm tra hệ thống, gửi yêu cầu hỗ trợ, theo dõi bảo hành – bảo trì và kiểm tra thiết bị mã vạch.</source>
        <translation>The Phần Mềm Vàng support assistant: system checks, support requests, warranty and maintenance status, and barcode device tests.</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="33" />
        <source>Đường dây nóng 24/7: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>24/7 hotline: &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="47" />
        <source>Sao chép thông tin</source>
        <translation>Copy details</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="49" />
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../app/ui/widgets/banner.py" line="22" />
        <source>Đã hiểu</source>
        <translation>Got it</translation>
    </message>
</context>
<context>
    <name>ComingSoonPage</name>
    <message>
        <location filename="../../app/ui/pages/coming_soon.py" line="18" />
        <source>Tính năng này đang được xây dựng và sẽ có trong bản cập nhật sắp tới.</source>
        <translation>This feature is being built and will arrive in an upcoming update.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/coming_soon.py" line="21" />
        <source>Khi hoàn thành, mục này sẽ giúp bạn:</source>
        <translation>When it is ready, this area will let you:</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/coming_soon.py" line="26" />
        <source>Cần hỗ trợ ngay? Gọi đường dây nóng &lt;b&gt;%1&lt;/b&gt; (24/7, kể cả cuối tuần và ngày lễ).</source>
        <translation>Need help now? Call the hotline &lt;b&gt;%1&lt;/b&gt; (24/7, weekends and public holidays included).</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="19" />
        <source>Ứng dụng gặp lỗi</source>
        <translation>The application ran into an error</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="21" />
        <source>Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu không bị mất. Hãy sao chép báo cáo bên dưới gửi cho bộ phận hỗ trợ, hoặc gọi đường dây nóng %1.</source>
        <translation>An unexpected error occurred. Nothing already saved has been lost. Copy the report below and send it to support, or call the hotline %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="30" />
        <source>Sao chép báo cáo</source>
        <translation>Copy report</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="32" />
        <source>Mở thư mục báo cáo</source>
        <translation>Open report folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="35" />
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="51" />
        <source>Đã sao chép</source>
        <translation>Copied</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="77" />
        <source>Tổng quan</source>
        <translation>Overview</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="78" />
        <location filename="../../app/ui/main_window.py" line="79" />
        <source>Kiểm tra hệ thống</source>
        <translation>System checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="80" />
        <source>kiểm tra cơ sở dữ liệu, sao lưu, giá vàng, số hóa đơn, ổ đĩa, đồng hồ, máy in và máy quét</source>
        <translation>check the database, backups, gold prices, invoice numbering, disk, clock, printers and scanners</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="81" />
        <source>xem hướng dẫn khắc phục bằng tiếng Việt cho từng lỗi</source>
        <translation>read step-by-step fixes for each problem</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="82" />
        <source>in báo cáo kiểm tra ra PDF</source>
        <translation>print the check report to PDF</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="84" />
        <location filename="../../app/ui/main_window.py" line="85" />
        <source>Yêu cầu hỗ trợ</source>
        <translation>Support requests</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="86" />
        <source>gửi yêu cầu hỗ trợ trong chưa đầy một phút, kèm thông tin chẩn đoán</source>
        <translation>raise a support request in under a minute, with diagnostics attached</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="87" />
        <source>biết hạn phản hồi tính theo giờ làm việc (2–4 giờ)</source>
        <translation>see the response deadline, counted in working hours (2–4 hours)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="88" />
        <source>theo dõi trạng thái và giải pháp đề xuất của kỹ thuật viên</source>
        <translation>follow the status and the technician's proposed solution</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="90" />
        <location filename="../../app/ui/main_window.py" line="91" />
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="92" />
        <source>xem gói phần mềm, ngày nghiệm thu và ngày hết bảo hành</source>
        <translation>see the software package, the acceptance date and when the warranty ends</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="93" />
        <source>xem hợp đồng bảo trì đang có hiệu lực và số ngày còn lại</source>
        <translation>see the maintenance contract in force and the days left</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="94" />
        <source>in phiếu bảo hành</source>
        <translation>print the warranty certificate</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="96" />
        <location filename="../../app/ui/main_window.py" line="97" />
        <source>Thiết bị mã vạch</source>
        <translation>Barcode devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="98" />
        <source>thử máy quét mã vạch và tìm nguyên nhân quét sai</source>
        <translation>test a barcode scanner and find out why scans come out wrong</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="99" />
        <source>in thử tem nữ trang trên máy in tem</source>
        <translation>print a test jewellery tag on the label printer</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="101" />
        <location filename="../../app/ui/main_window.py" line="102" />
        <source>Cập nhật</source>
        <translation>Updates</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="103" />
        <source>nhận các gói cập nhật quy định kinh doanh vàng</source>
        <translation>receive gold-trading regulation update packs</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="104" />
        <source>cập nhật ứng dụng an toàn, có chữ ký số</source>
        <translation>update the app safely, with digitally signed releases</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="138" />
        <source>&amp;Tệp</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="139" />
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="143" />
        <source>&amp;Ngôn ngữ</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="152" />
        <source>Trợ &amp;giúp</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="153" />
        <source>Mở thư mục nhật ký</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="157" />
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="168" />
        <source>Đường dây nóng 24/7: %1</source>
        <translation>24/7 hotline: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="172" />
        <source>Sẵn sàng</source>
        <translation>Ready</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="55" />
        <source>Hôm nay: %1</source>
        <translation>Today: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="57" />
        <source>Cửa hàng</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="60" />
        <source>Mã cửa hàng: %1</source>
        <translation>Shop ID: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="63" />
        <source>Đường dây nóng 24/7</source>
        <translation>24/7 hotline</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="65" />
        <source>Luôn có kỹ thuật viên trực, kể cả cuối tuần và ngày lễ.</source>
        <translation>A technician is always on duty, weekends and public holidays included.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="68" />
        <source>Phiên bản</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="69" />
        <source>Phần mềm vàng PMV: đang đọc…</source>
        <translation>PMV gold software: reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="71" />
        <source>Bảng giá vàng (₫/chỉ)</source>
        <translation>Gold price board (₫/chỉ)</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="73" />
        <source>Loại vàng</source>
        <translation>Gold type</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="73" />
        <source>Mua vào</source>
        <translation>Buy</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="73" />
        <source>Bán ra</source>
        <translation>Sell</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="79" />
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="81" />
        <source>Hoạt động gần đây</source>
        <translation>Recent activity</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="138" />
        <source>Chưa cấu hình</source>
        <translation>Not configured</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="139" />
        <source>Chưa khai báo cơ sở dữ liệu của phần mềm vàng PMV trong tệp cấu hình.</source>
        <translation>The PMV gold software database is not set in the settings file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="141" />
        <source>Phần mềm vàng PMV: chưa cấu hình</source>
        <translation>PMV gold software: not configured</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="144" />
        <source>Không đọc được cơ sở dữ liệu PMV: %1</source>
        <translation>Cannot read the PMV database: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="145" />
        <source>Không đọc được</source>
        <translation>Cannot read</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="146" />
        <source>Phần mềm vàng PMV: không rõ</source>
        <translation>PMV gold software: unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="149" />
        <source>không rõ</source>
        <translation>unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="150" />
        <source>Phần mềm vàng PMV: %1</source>
        <translation>PMV gold software: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="164" />
        <source>Cập nhật lúc %1</source>
        <translation>Updated at %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="166" />
        <source>Chưa có giá</source>
        <translation>No prices yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="178" />
        <source>Chưa có hoạt động nào.</source>
        <translation>No activity yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="188" />
        <source>Khởi động ứng dụng (phiên bản %1)</source>
        <translation>App started (version %1)</translation>
    </message>
</context>
<context>
    <name>SettingsProblems</name>
    <message>
        <location filename="../../app/ui/application.py" line="38" />
        <source>Tệp cấu hình không đúng cú pháp TOML (%1). Đang dùng cấu hình mặc định.</source>
        <translation>The settings file is not valid TOML (%1). Using the default settings.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="41" />
        <source>Không đọc được tệp cấu hình (%1). Đang dùng cấu hình mặc định.</source>
        <translation>Cannot read the settings file (%1). Using the default settings.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="44" />
        <source>Khóa lạ '%1' trong tệp cấu hình đã bị bỏ qua.</source>
        <translation>Unknown key '%1' in the settings file was ignored.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="46" />
        <source>Khóa '%1' có giá trị không hợp lệ %2 (%3). Đang dùng giá trị mặc định.</source>
        <translation>Key '%1' has an invalid value %2 (%3). Using the default value.</translation>
    </message>
</context>
<context>
    <name>StorageNotices</name>
    <message>
        <location filename="../../app/ui/application.py" line="53" />
        <source>Cơ sở dữ liệu của ứng dụng bị hỏng nên đã được tạo mới. Tệp cũ được giữ lại tại %1 để kỹ thuật viên khôi phục; hãy gọi 1900 6037 nếu cần.</source>
        <translation>The app's database was damaged, so a new one was created. The old file is kept at %1 for a technician to recover; call 1900 6037 if needed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="59" />
        <source>Dữ liệu đã được nâng cấp lên phiên bản mới; bản sao trước khi nâng cấp: %1</source>
        <translation>Your data was upgraded to the new version; a copy from before the upgrade: %1</translation>
    </message>
</context>
<context>
    <name>TaskProgress</name>
    <message>
        <location filename="../../app/ui/widgets/task_progress.py" line="22" />
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/task_progress.py" line="66" />
        <source>Đang hủy…</source>
        <translation>Cancelling…</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../app/ui/tray.py" line="32" />
        <source>Mở PMV Support Assistant</source>
        <translation>Open PMV Support Assistant</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="33" />
        <source>Gửi yêu cầu hỗ trợ…</source>
        <translation>Raise a support request…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="34" />
        <source>Đường dây nóng 24/7: %1</source>
        <translation>24/7 hotline: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="36" />
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="65" />
        <source>Hệ thống hoạt động bình thường</source>
        <translation>Everything is working normally</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="66" />
        <source>Có thông tin mới</source>
        <translation>There is news</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="67" />
        <source>Có mục cần chú ý</source>
        <translation>Something needs attention</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="68" />
        <source>Có sự cố cần xử lý</source>
        <translation>There is a problem to fix</translation>
    </message>
</context>
</TS>