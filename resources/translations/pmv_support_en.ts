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
    <name>Application</name>
    <message>
        <location filename="../../app/ui/application.py" line="110" />
        <source>Bảo hành/bảo trì sắp hết hạn</source>
        <translation>Warranty/maintenance ending soon</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="112" />
        <source>Ngày mai cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì hoặc gọi 1900 6037.</source>
        <translation>The shop's support coverage ends tomorrow. Renew maintenance or call 1900 6037.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="114" />
        <source>Còn %1 ngày nữa cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì.</source>
        <translation>The shop's support coverage ends in %1 days. Please renew maintenance.</translation>
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
    <name>CoverageTimeline</name>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="66" />
        <source>Chưa có hợp đồng</source>
        <translation>No contract yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="79" />
        <source>Bảo hành</source>
        <translation>Warranty</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="83" />
        <source>Bảo trì</source>
        <translation>Maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="85" />
        <source>Không được hỗ trợ</source>
        <translation>Not covered</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/timeline.py" line="102" />
        <source>Hôm nay %1</source>
        <translation>Today %1</translation>
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
        <location filename="../../app/ui/main_window.py" line="84" />
        <source>Tổng quan</source>
        <translation>Overview</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="85" />
        <location filename="../../app/ui/main_window.py" line="86" />
        <source>Kiểm tra hệ thống</source>
        <translation>System checks</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="87" />
        <source>kiểm tra cơ sở dữ liệu, sao lưu, giá vàng, số hóa đơn, ổ đĩa, đồng hồ, máy in và máy quét</source>
        <translation>check the database, backups, gold prices, invoice numbering, disk, clock, printers and scanners</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="88" />
        <source>xem hướng dẫn khắc phục bằng tiếng Việt cho từng lỗi</source>
        <translation>read step-by-step fixes for each problem</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="89" />
        <source>in báo cáo kiểm tra ra PDF</source>
        <translation>print the check report to PDF</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="91" />
        <location filename="../../app/ui/main_window.py" line="92" />
        <source>Yêu cầu hỗ trợ</source>
        <translation>Support requests</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="93" />
        <source>gửi yêu cầu hỗ trợ trong chưa đầy một phút, kèm thông tin chẩn đoán</source>
        <translation>raise a support request in under a minute, with diagnostics attached</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="94" />
        <source>biết hạn phản hồi tính theo giờ làm việc (2–4 giờ)</source>
        <translation>see the response deadline, counted in working hours (2–4 hours)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="95" />
        <source>theo dõi trạng thái và giải pháp đề xuất của kỹ thuật viên</source>
        <translation>follow the status and the technician's proposed solution</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="97" />
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="99" />
        <location filename="../../app/ui/main_window.py" line="100" />
        <source>Thiết bị mã vạch</source>
        <translation>Barcode devices</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="101" />
        <source>thử máy quét mã vạch và tìm nguyên nhân quét sai</source>
        <translation>test a barcode scanner and find out why scans come out wrong</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="102" />
        <source>in thử tem nữ trang trên máy in tem</source>
        <translation>print a test jewellery tag on the label printer</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="104" />
        <location filename="../../app/ui/main_window.py" line="105" />
        <source>Cập nhật</source>
        <translation>Updates</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="106" />
        <source>nhận các gói cập nhật quy định kinh doanh vàng</source>
        <translation>receive gold-trading regulation update packs</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="107" />
        <source>cập nhật ứng dụng an toàn, có chữ ký số</source>
        <translation>update the app safely, with digitally signed releases</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="141" />
        <source>&amp;Tệp</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="142" />
        <source>Thoát</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="146" />
        <source>&amp;Ngôn ngữ</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="155" />
        <source>Trợ &amp;giúp</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="156" />
        <source>Mở thư mục nhật ký</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="160" />
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="171" />
        <source>Đường dây nóng 24/7: %1</source>
        <translation>24/7 hotline: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="175" />
        <source>Sẵn sàng</source>
        <translation>Ready</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="196" />
        <source>Gia hạn bảo trì</source>
        <translation>Renew maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="197" />
        <source>Để gia hạn bảo trì, hãy gọi đường dây nóng %1 (24/7) và đọc nội dung sau:</source>
        <translation>To renew maintenance, call the hotline %1 (24/7) and read out the following:</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="200" />
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="56" />
        <source>Hôm nay: %1</source>
        <translation>Today: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="58" />
        <source>Cửa hàng</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="61" />
        <source>Mã cửa hàng: %1</source>
        <translation>Shop ID: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="64" />
        <source>Đường dây nóng 24/7</source>
        <translation>24/7 hotline</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="66" />
        <source>Luôn có kỹ thuật viên trực, kể cả cuối tuần và ngày lễ.</source>
        <translation>A technician is always on duty, weekends and public holidays included.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="69" />
        <source>Phiên bản</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="70" />
        <source>Phần mềm vàng PMV: đang đọc…</source>
        <translation>PMV gold software: reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="72" />
        <source>Bảng giá vàng (₫/chỉ)</source>
        <translation>Gold price board (₫/chỉ)</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="74" />
        <source>Loại vàng</source>
        <translation>Gold type</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="74" />
        <source>Mua vào</source>
        <translation>Buy</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="74" />
        <source>Bán ra</source>
        <translation>Sell</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="80" />
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="82" />
        <source>Hoạt động gần đây</source>
        <translation>Recent activity</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="149" />
        <source>Chưa cấu hình</source>
        <translation>Not configured</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="150" />
        <source>Chưa khai báo cơ sở dữ liệu của phần mềm vàng PMV trong tệp cấu hình.</source>
        <translation>The PMV gold software database is not set in the settings file.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="152" />
        <source>Phần mềm vàng PMV: chưa cấu hình</source>
        <translation>PMV gold software: not configured</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="155" />
        <source>Không đọc được cơ sở dữ liệu PMV: %1</source>
        <translation>Cannot read the PMV database: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="156" />
        <source>Không đọc được</source>
        <translation>Cannot read</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="157" />
        <source>Phần mềm vàng PMV: không rõ</source>
        <translation>PMV gold software: unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="160" />
        <source>không rõ</source>
        <translation>unknown</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="161" />
        <source>Phần mềm vàng PMV: %1</source>
        <translation>PMV gold software: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="175" />
        <source>Cập nhật lúc %1</source>
        <translation>Updated at %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="177" />
        <source>Chưa có giá</source>
        <translation>No prices yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="181" />
        <source>Chưa có hoạt động nào.</source>
        <translation>No activity yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages/overview.py" line="191" />
        <source>Khởi động ứng dụng (phiên bản %1)</source>
        <translation>App started (version %1)</translation>
    </message>
</context>
<context>
    <name>SettingsProblems</name>
    <message>
        <location filename="../../app/ui/application.py" line="39" />
        <source>Tệp cấu hình không đúng cú pháp TOML (%1). Đang dùng cấu hình mặc định.</source>
        <translation>The settings file is not valid TOML (%1). Using the default settings.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="42" />
        <source>Không đọc được tệp cấu hình (%1). Đang dùng cấu hình mặc định.</source>
        <translation>Cannot read the settings file (%1). Using the default settings.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="45" />
        <source>Khóa lạ '%1' trong tệp cấu hình đã bị bỏ qua.</source>
        <translation>Unknown key '%1' in the settings file was ignored.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="47" />
        <source>Khóa '%1' có giá trị không hợp lệ %2 (%3). Đang dùng giá trị mặc định.</source>
        <translation>Key '%1' has an invalid value %2 (%3). Using the default value.</translation>
    </message>
</context>
<context>
    <name>StorageNotices</name>
    <message>
        <location filename="../../app/ui/application.py" line="54" />
        <source>Cơ sở dữ liệu của ứng dụng bị hỏng nên đã được tạo mới. Tệp cũ được giữ lại tại %1 để kỹ thuật viên khôi phục; hãy gọi 1900 6037 nếu cần.</source>
        <translation>The app's database was damaged, so a new one was created. The old file is kept at %1 for a technician to recover; call 1900 6037 if needed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/application.py" line="60" />
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
<context>
    <name>WarrantyPage</name>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="70" />
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="87" />
        <source>Gói phần mềm</source>
        <translation>Software package</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="88" />
        <source>Ngày nghiệm thu</source>
        <translation>Acceptance date</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="89" />
        <source>Thời hạn bảo hành</source>
        <translation>Warranty term</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="90" />
        <source>Hợp đồng bảo trì đang hiệu lực</source>
        <translation>Maintenance contract in force</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="91" />
        <source>Khách hàng ưu tiên</source>
        <translation>Priority customer</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="105" />
        <source>Từ ngày</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="105" />
        <source>Đến hết ngày</source>
        <translation>Through</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="105" />
        <source>Gói bảo trì</source>
        <translation>Maintenance tier</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="114" />
        <source>Cập nhật từ máy chủ</source>
        <translation>Update from server</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="115" />
        <source>Nhập hợp đồng từ tệp…</source>
        <translation>Import contract from file…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="116" />
        <source>In phiếu bảo hành…</source>
        <translation>Print warranty certificate…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="117" />
        <source>Gia hạn bảo trì</source>
        <translation>Renew maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="141" />
        <source>Thời gian được hỗ trợ</source>
        <translation>Coverage over time</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="143" />
        <source>Các hợp đồng bảo trì</source>
        <translation>Maintenance contracts</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="145" />
        <source>Bảo hành và bảo trì bao gồm</source>
        <translation>Warranty and maintenance include</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="160" />
        <source>Đang đọc hợp đồng…</source>
        <translation>Reading the contract…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="195" />
        <source>Chưa có hợp đồng</source>
        <translation>No contract yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="196" />
        <source>Bấm “Cập nhật từ máy chủ”, hoặc “Nhập hợp đồng từ tệp” nếu máy không có Internet.</source>
        <translation>Press “Update from server”, or “Import contract from file” if this PC has no Internet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="205" />
        <source>Cửa hàng không còn được bảo hành hay bảo trì. Yêu cầu hỗ trợ chỉ được xử lý khi có thể; hãy gia hạn bảo trì hoặc gọi 1900 6037.</source>
        <translation>The shop is no longer under warranty or maintenance. Support requests are handled on a best-effort basis; renew maintenance or call 1900 6037.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="209" />
        <source>Còn %1 ngày – được hỗ trợ đến hết ngày %2.</source>
        <translation>%1 days left – covered through %2.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="212" />
        <source>Sắp hết hạn: hãy gia hạn bảo trì để không bị gián đoạn hỗ trợ.</source>
        <translation>Ending soon: renew maintenance so support is not interrupted.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="217" />
        <source>%1 tháng, đến hết ngày %2</source>
        <translation>%1 months, through %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="220" />
        <source>%1 → %2 (%3)</source>
        <translation>%1 → %2 (%3)</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="221" />
        <source>Không có</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="223" />
        <source>Có</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="223" />
        <source>Không</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="234" />
        <source>Đang cập nhật hợp đồng từ máy chủ…</source>
        <translation>Updating the contract from the server…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="239" />
        <source>Đã cập nhật hợp đồng mới từ máy chủ.</source>
        <translation>A new contract was received from the server.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="241" />
        <source>Hợp đồng trên máy đã là bản mới nhất.</source>
        <translation>The contract on this PC is already the latest.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="249" />
        <source>Chọn tệp hợp đồng</source>
        <translation>Choose the contract file</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="249" />
        <source>Hợp đồng (*.json);;Mọi tệp (*)</source>
        <translation>Contracts (*.json);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="257" />
        <source>Đã nhập hợp đồng của %1.</source>
        <translation>Imported the contract of %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="263" />
        <source>Không đọc được tệp: %1</source>
        <translation>Cannot read the file: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="267" />
        <source>Lưu phiếu bảo hành</source>
        <translation>Save warranty certificate</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="279" />
        <source>Đã lưu phiếu bảo hành: %1</source>
        <translation>Warranty certificate saved: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="281" />
        <source>Không lưu được phiếu bảo hành: %1</source>
        <translation>Could not save the warranty certificate: %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="282" />
        <source>Đang tạo phiếu bảo hành…</source>
        <translation>Creating the warranty certificate…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="287" />
        <source>Đề nghị gia hạn hợp đồng bảo trì cho cửa hàng %1.</source>
        <translation>Request to renew the maintenance contract for the shop %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="290" />
        <source>Hiện được hỗ trợ đến hết ngày %1.</source>
        <translation>Currently covered through %1.</translation>
    </message>
</context>
<context>
    <name>WarrantyTexts</name>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="15" />
        <source>Đang bảo hành</source>
        <translation>Under warranty</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="17" />
        <source>Đang bảo trì – khách hàng ưu tiên</source>
        <translation>Under maintenance – priority customer</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="18" />
        <source>Hết hạn bảo hành</source>
        <translation>Warranty expired</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="24" />
        <source>Tệp này không phải là hợp đồng của Phần Mềm Vàng.</source>
        <translation>This file is not a Phần Mềm Vàng contract.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="25" />
        <source>Hợp đồng không có chữ ký số.</source>
        <translation>The contract has no digital signature.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="26" />
        <source>Hợp đồng được ký bằng một khóa mà ứng dụng không tin cậy.</source>
        <translation>The contract is signed with a key this app does not trust.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="28" />
        <source>Chữ ký số không khớp: nội dung hợp đồng đã bị sửa sau khi ký.</source>
        <translation>The digital signature does not match: the contract was changed after it was signed.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="30" />
        <source>Hợp đồng này là của một cửa hàng khác.</source>
        <translation>This contract belongs to another shop.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="31" />
        <source>Nội dung hợp đồng không hợp lệ (ngày hoặc thời hạn sai).</source>
        <translation>The contract's content is invalid (wrong dates or term).</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="33" />
        <source>Hợp đồng đang dùng vẫn được giữ nguyên. Cần hỗ trợ, gọi %1.</source>
        <translation>The contract in use is kept unchanged. For help, call %1.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="40" />
        <source>Máy này chưa được cài mã kết nối cửa hàng. Kỹ thuật viên cài bằng lệnh “pmv-support shop-token”.</source>
        <translation>This PC has no shop connection token yet. A technician installs it with “pmv-support shop-token”.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="43" />
        <source>Không kết nối được máy chủ hỗ trợ (mất mạng?).</source>
        <translation>Cannot reach the support server (no network?).</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="44" />
        <source>Máy chủ hỗ trợ không trả lời kịp.</source>
        <translation>The support server did not answer in time.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="45" />
        <source>Máy chủ từ chối mã kết nối của cửa hàng.</source>
        <translation>The server refused the shop's connection token.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="46" />
        <source>Máy chủ chưa có hợp đồng cho cửa hàng này.</source>
        <translation>The server has no contract for this shop yet.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="47" />
        <source>Máy chủ hỗ trợ đang gặp lỗi.</source>
        <translation>The support server is having a problem.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="48" />
        <source>Máy chủ trả lời không đúng định dạng.</source>
        <translation>The server's answer was not in the expected format.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="50" />
        <source>Đang dùng hợp đồng đã lưu trên máy.</source>
        <translation>Using the contract saved on this PC.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="58" />
        <source>Khắc phục sự cố: đề xuất phương án trong tối đa 2–4 giờ làm việc; hướng dẫn qua điện thoại, email, truy cập từ xa hoặc cử nhân viên đến tận nơi.</source>
        <translation>Incident resolution: a proposed solution within 2–4 working hours at most; guidance by phone, email, remote session, or a technician on site.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="60" />
        <source>Hướng dẫn sử dụng phần mềm qua điện thoại, fax, email hoặc truy cập từ xa.</source>
        <translation>Help using the software by phone, fax, email or remote session.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="61" />
        <source>Cập nhật phiên bản mới khi có quy định mới về kinh doanh vàng.</source>
        <translation>New versions when new gold-trading regulations come out.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="62" />
        <source>Cài đặt lại phần mềm khi máy tính gặp sự cố.</source>
        <translation>Reinstalling the software when the computer fails.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="63" />
        <source>Hỗ trợ lỗi thiết bị mã vạch; đường dây nóng %1 trực 24/7.</source>
        <translation>Support for barcode device problems; the hotline %1 is staffed 24/7.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/texts.py" line="64" />
        <source>Có hợp đồng bảo trì: được hỗ trợ ưu tiên (2 giờ cho sự cố nghiêm trọng và mức cao, 4 giờ cho mức thường).</source>
        <translation>With a maintenance contract: priority support (2 hours for critical and high severity, 4 hours for normal).</translation>
    </message>
</context>
<context>
    <name>WarrantyTile</name>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="299" />
        <source>Bảo hành &amp; bảo trì</source>
        <translation>Warranty &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="300" />
        <source>Đang đọc…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="306" />
        <source>Chưa có hợp đồng</source>
        <translation>No contract yet</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="306" />
        <source>Vào mục Bảo hành &amp; bảo trì để cập nhật.</source>
        <translation>Open Warranty &amp; maintenance to update it.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="310" />
        <source>Gọi 1900 6037 hoặc gia hạn bảo trì.</source>
        <translation>Call 1900 6037 or renew maintenance.</translation>
    </message>
    <message>
        <location filename="../../app/ui/warranty/page.py" line="313" />
        <source>Còn %1 ngày (đến hết %2)</source>
        <translation>%1 days left (through %2)</translation>
    </message>
</context>
</TS>