from __future__ import annotations

import copy

import pytest

from app.support.redaction import RedactionKind, RedactionResult, redact_mapping, redact_text

K = RedactionKind

# A slice of a PMV POS log as a shop would send it.
SHOP_TOKEN = "pmv_Q2x9fK3mZ0aB7cD1eF5gH8iJ4kL6nP0rS2tU9vW3xY"
LOG = "\n".join(
    [
        "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị Lan SĐT 0903 112 233, CCCD 079123456789 mua 2 chỉ",
        "2026-11-24 10:13:02 INFO  Lập HĐ 1C26TVG-0000063: nhẫn trơn 9999, 3,750 g, tổng 20.000.000 ₫",
        "2026-11-24 10:13:05 WARN  Khách Nguyễn Thị Lan mua đủ 20.000.000 ₫ tiền mặt trong ngày (NĐ 232/2025)",
        f"2026-11-24 10:14:10 DEBUG POST https://api.pmv.vn/api/v1/tickets?shop=KP-0001&token=abc123XYZ&lang=vi Authorization: Bearer {SHOP_TOKEN}",
        "2026-11-24 10:15:00 ERROR Không kết nối được mssql://sa:Pmv@2024@192.168.1.10:1433/PMVGold (127.0.0.1, v5.8.2)",
        "2026-11-24 10:16:21 INFO  Khách Trần Văn Hùng, email hung.tran@gmail.com, CMND: 123456789, ĐT nhà (028) 3822 1234",
        "2026-11-24 10:17:30 INFO  Liên hệ hỗ trợ: chị Mai 0912.345.678, hotline 1900 6037",
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=Vang@9999 từ máy QUAY-01",
    ]
)
REDACTED_LOG = "\n".join(
    [
        "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị Lan SĐT [SĐT], CCCD [CCCD] mua 2 chỉ",
        "2026-11-24 10:13:02 INFO  Lập HĐ 1C26TVG-0000063: nhẫn trơn 9999, 3,750 g, tổng 20.000.000 ₫",
        "2026-11-24 10:13:05 WARN  Khách Nguyễn Thị Lan mua đủ 20.000.000 ₫ tiền mặt trong ngày (NĐ 232/2025)",
        "2026-11-24 10:14:10 DEBUG POST https://api.pmv.vn/api/v1/tickets?shop=KP-0001&token=***&lang=vi Authorization: Bearer ***",
        "2026-11-24 10:15:00 ERROR Không kết nối được mssql://sa:***@192.168.1.10:1433/PMVGold (127.0.0.1, v5.8.2)",
        "2026-11-24 10:16:21 INFO  Khách Trần Văn Hùng, email [email], CMND: [CCCD], ĐT nhà [SĐT]",
        "2026-11-24 10:17:30 INFO  Liên hệ hỗ trợ: chị Mai 0912.345.678, hotline 1900 6037",
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=*** từ máy QUAY-01",
    ]
)
CONTACT = "+84 912 345 678"  # the shop's contact (chị Mai), typed another way


def test_realistic_log_is_redacted_exactly() -> None:
    result = redact_text(LOG, keep_phones=[CONTACT])
    assert result.text == REDACTED_LOG
    assert result.counts == {
        K.PHONE: 2,
        K.CITIZEN_ID: 2,
        K.EMAIL: 1,
        K.SECRET_PARAM: 2,
        K.AUTH_HEADER: 1,
        K.URL_CREDENTIAL: 1,
    }
    assert result.total == 9


def test_redaction_is_idempotent() -> None:
    once = redact_text(LOG, keep_phones=[CONTACT])
    twice = redact_text(once.text, keep_phones=[CONTACT])
    assert twice.text == once.text
    assert twice.counts == {}


def test_without_keep_phones_the_contact_is_redacted_too() -> None:
    result = redact_text("Liên hệ hỗ trợ: chị Mai 0912.345.678, hotline 1900 6037")
    assert result.text == "Liên hệ hỗ trợ: chị Mai [SĐT], hotline 1900 6037"
    assert result.counts == {K.PHONE: 1}


@pytest.mark.parametrize("keep", ["0912345678", "0912 345 678", "+84912345678", "84 912 345 678", "0084912345678"])
def test_keep_phones_compares_normalised_forms(keep: str) -> None:
    text = "gọi 0912-345-678 hoặc +84 912 345 678 hoặc 0987 654 321"
    result = redact_text(text, keep_phones=[keep])
    assert result.text == "gọi 0912-345-678 hoặc +84 912 345 678 hoặc [SĐT]"
    assert result.counts == {K.PHONE: 1}


def test_invalid_keep_phone_is_ignored() -> None:
    result = redact_text("gọi 0912 345 678", keep_phones=["không có", "0162 912 3456", ""])
    assert result.text == "gọi [SĐT]"


def test_keep_phones_accepts_any_iterable_once() -> None:
    result = redact_text("gọi 0912 345 678 / 0912 345 678", keep_phones=iter(["0912345678"]))
    assert result.text == "gọi 0912 345 678 / 0912 345 678"


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        # credentials in URLs
        ("ftp://backup:s3cr3t@nas.local/pmv", "ftp://backup:***@nas.local/pmv", {K.URL_CREDENTIAL: 1}),
        ("https://user@host.vn/x", "https://user@host.vn/x", {}),  # no password: nothing to hide
        (
            "GET /sync?user=lan&password=abc&pwd=1&pass=2&key=3&secret=4&auth=5&api_key=6&access_token=7&page=2",
            "GET /sync?user=lan&password=***&pwd=***&pass=***&key=***&secret=***&auth=***&api_key=***&access_token=***&page=2",
            {K.SECRET_PARAM: 8},
        ),
        ("url=https://x.vn/a?API_KEY=Zz9#top", "url=https://x.vn/a?API_KEY=***#top", {K.SECRET_PARAM: 1}),
        ("config {'db_password': 'Vang@9999', 'host': 'pos'}", "config {'db_password': '***', 'host': 'pos'}", {K.SECRET_PARAM: 1}),
        ('{"token": "abc", "shop": "KP-0001"}', '{"token": "***", "shop": "KP-0001"}', {K.SECRET_PARAM: 1}),
        # headers and tokens
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***", {K.AUTH_HEADER: 1}),
        ("headers={'Authorization': 'Bearer abc.def'}", "headers={'Authorization': 'Bearer ***'}", {K.AUTH_HEADER: 1}),
        ("curl -H 'X: y' Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "curl -H 'X: y' Bearer ***", {K.AUTH_HEADER: 1}),
        ("Bearer token missing", "Bearer token missing", {}),
        (f"token saved: {SHOP_TOKEN}.", "token saved: pmv_***.", {K.SHOP_TOKEN: 1}),
        (f"?token={SHOP_TOKEN}&x=1", "?token=pmv_***&x=1", {K.SHOP_TOKEN: 1}),  # counted once
        # personal data
        ("CCCD:001204012345 OK", "CCCD:[CCCD] OK", {K.CITIZEN_ID: 1}),
        ("số 096099012345", "số [CCCD]", {K.CITIZEN_ID: 1}),
        ("CMND số 025123456 cấp 2010", "CMND số [CCCD] cấp 2010", {K.CITIZEN_ID: 1}),
        ("Căn cước công dân: 123456789012", "Căn cước công dân: [CCCD]", {K.CITIZEN_ID: 1}),
        ("mail Lan.Nguyen+shop@vang-kimphat.com.vn!", "mail [email]!", {K.EMAIL: 1}),
        ("0903112233@gmail.com", "[email]", {K.EMAIL: 1}),
        ("ĐT 024 3822 1234, 0236 3822 123", "ĐT [SĐT], [SĐT]", {K.PHONE: 2}),
        ("CCCD 079123456789-0912345678", "CCCD [CCCD]-[SĐT]", {K.CITIZEN_ID: 1, K.PHONE: 1}),
    ],
)
def test_rules(text: str, expected: str, counts: dict[RedactionKind, int]) -> None:
    result = redact_text(text)
    assert result.text == expected
    assert result.counts == counts
    assert redact_text(result.text).text == result.text


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-25 08:30:00 INFO  Mở ca",
        "2026-11-25T08:30:00+07:00 sync ok in 1234 ms",
        "tổng 20.000.000 ₫, 19.000.000 ₫, 1.900.000 ₫, 120000000 VND, 18000000đ",
        "HĐ 1C26TVG-0000063, phiếu 0000123, mã hàng NT9999-0012, lô HD-079123456789",
        "nhẫn 9999 1 chỉ 2 phân = 4,500 g (4.500 mg), vàng 610, 585",
        "server 127.0.0.1:8000, máy in 192.168.1.250, gateway 10.0.0.1",
        "PMV 5.8.2, pmv-support 0.1.0, Python 3.11.9, build 202611241012",
        "id 123456789012 và 987654321098 không phải CCCD",  # no province code 001-096
        "mã 0791234567890 (13 số), 07912345678 (11 số)",
        "load pmv_support_en.qm, handler _pmv_support_handler",
        "keyboard=vi, keyboard_layout=telex, monkey=1, author=Lan, bypass=0, token_count=",
        "Authorization failed for user thungan01",
        "",
    ],
)
def test_ordinary_log_lines_are_untouched(line: str) -> None:
    result = redact_text(line)
    assert result == RedactionResult(line, {})


# --- settings dumps -------------------------------------------------------------

SETTINGS = {
    "shop": {
        "name": "Tiệm vàng Kim Phát",
        "contact_phone": "0912 345 678",
        "contact_email": "kimphat@gmail.com",
        "address": "12 Lê Lợi, Q.1, TP.HCM, ĐT (028) 3822 1234",
    },
    "vendor": {
        "api_url": "https://api.pmv.vn/api/v1",
        "api_key": "AbC123",
        "shop_token": SHOP_TOKEN,
        "token_enabled": True,
        "proxy": "http://proxy:Mk@2025@10.0.0.1:3128",
        "timeout_s": 15,
    },
    "database": {"url": "mssql://sa:Pmv2024@127.0.0.1/PMVGold", "Password": "Pmv2024", "passwd_hint": None},
    "printers": [
        {"name": "Godex G500", "host": "192.168.1.250", "secret_pin": 1234},
        {"name": "Xprinter", "admin_password": ""},
    ],
    "tokens": ["t1", "t2", {"nested": "t3"}],
    "private": {"key_path": "C:\\PMV\\keys\\shop.pem", "enabled": False},
    "version": "5.8.2",
}
EXPECTED_SETTINGS = {
    "shop": {
        "name": "Tiệm vàng Kim Phát",
        "contact_phone": "0912 345 678",
        "contact_email": "[email]",
        "address": "12 Lê Lợi, Q.1, TP.HCM, ĐT [SĐT]",
    },
    "vendor": {
        "api_url": "https://api.pmv.vn/api/v1",
        "api_key": "***",
        "shop_token": "***",
        "token_enabled": True,
        "proxy": "http://proxy:***@10.0.0.1:3128",
        "timeout_s": 15,
    },
    "database": {"url": "mssql://sa:***@127.0.0.1/PMVGold", "Password": "***", "passwd_hint": None},
    "printers": [
        {"name": "Godex G500", "host": "192.168.1.250", "secret_pin": "***"},
        {"name": "Xprinter", "admin_password": ""},
    ],
    "tokens": ["***", "***", {"nested": "***"}],
    "private": {"key_path": "***", "enabled": False},
    "version": "5.8.2",
}


def test_settings_dump_is_redacted() -> None:
    original = copy.deepcopy(SETTINGS)
    redacted, counts = redact_mapping(SETTINGS, keep_phones=["0912345678"])
    assert redacted == EXPECTED_SETTINGS
    assert counts == {
        K.SECRET_FIELD: 8,  # api_key, shop_token, Password, secret_pin, t1, t2, t3, key_path
        K.URL_CREDENTIAL: 2,
        K.EMAIL: 1,
        K.PHONE: 1,
    }
    assert SETTINGS == original  # the input is not modified


def test_settings_redaction_is_idempotent() -> None:
    once, _ = redact_mapping(SETTINGS, keep_phones=["0912345678"])
    twice, counts = redact_mapping(once, keep_phones=["0912345678"])
    assert twice == once
    assert counts == {}


def test_settings_contact_phone_is_redacted_unless_kept() -> None:
    redacted, counts = redact_mapping({"shop": {"contact_phone": "0912 345 678"}})
    assert redacted == {"shop": {"contact_phone": "[SĐT]"}}
    assert counts == {K.PHONE: 1}


def test_settings_tuples_stay_tuples_and_keys_are_kept() -> None:
    redacted, counts = redact_mapping({1: ("a@b.vn", 2), "API-KEY": ("x", "y")})
    assert redacted == {1: ("[email]", 2), "API-KEY": ("***", "***")}
    assert counts == {K.EMAIL: 1, K.SECRET_FIELD: 2}


def test_kind_values_are_stable_codes() -> None:
    assert {k.value for k in RedactionKind} == {
        "url_credential",
        "secret_param",
        "auth_header",
        "shop_token",
        "secret_field",
        "citizen_id",
        "phone",
        "email",
    }


# --- database URLs and connection strings (pos.url) -----------------------------
# pos.url is opened by SQLAlchemy, which reads '#', '/' and '?' as part of the
# password; an ODBC connection string may hold it too, percent-encoded in
# ``odbc_connect`` or plain, with spaces or in braces.

ODBC_ENCODED = (
    "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC+Driver+17+for+SQL+Server%7D%3BSERVER%3D192.168.1.10"
    "%3BDATABASE%3DPMV%3BUID%3Dsa%3BPWD%3D{}%3BTrustServerCertificate%3Dyes"
)


@pytest.mark.parametrize(
    ("url", "expected", "secret", "counts"),
    [
        ("mssql+pyodbc://sa:Kh0!Vang#2026@host/PMV", "mssql+pyodbc://sa:***@host/PMV", "Vang#2026", {K.URL_CREDENTIAL: 1}),
        ("postgresql://pmv:a/b?c@db/pmv", "postgresql://pmv:***@db/pmv", "a/b?c", {K.URL_CREDENTIAL: 1}),
        (  # the host looks like an e-mail domain once the URL rule has let go of the password
            "mssql+pyodbc://sa:Kh0!Vang#2026@pos.kimphat.vn:1433/PMV?driver=ODBC+Driver+17+for+SQL+Server",
            "mssql+pyodbc://sa:***@pos.kimphat.vn:1433/PMV?driver=ODBC+Driver+17+for+SQL+Server",
            "Vang#2026",
            {K.URL_CREDENTIAL: 1},
        ),
        (  # '@', '#', '/' and '?' together: the password runs to the last '@' before the host
            "mssql+pyodbc://sa:Pmv@2024#1/x?y@192.168.1.10/PMV",
            "mssql+pyodbc://sa:***@192.168.1.10/PMV",
            "2024#1/x?y",
            {K.URL_CREDENTIAL: 1},
        ),
        ("mssql+pyodbc://sa:Vang 2026@host/PMV", "mssql+pyodbc://sa:***@host/PMV", "Vang 2026", {K.URL_CREDENTIAL: 1}),
        (
            ODBC_ENCODED.format("Kh0%21Vang%232026"),
            ODBC_ENCODED.format("***"),
            "Vang%23",
            {K.SECRET_PARAM: 1},
        ),
        (  # braced: '}}' is a literal '}', and ';' does not end the value
            ODBC_ENCODED.format("%7BKh0%3BVang%7D%7D26%7D"),
            ODBC_ENCODED.format("***"),
            "Vang",
            {K.SECRET_PARAM: 1},
        ),
        (
            "DRIVER={ODBC Driver 17 for SQL Server};SERVER=192.168.1.10;DATABASE=PMV;UID=sa;PWD=Kh0!Vang#2026;",
            "DRIVER={ODBC Driver 17 for SQL Server};SERVER=192.168.1.10;DATABASE=PMV;UID=sa;PWD=***;",
            "Vang",
            {K.SECRET_PARAM: 1},
        ),
        (
            "Server=192.168.1.10,1433;Database=PMV;User Id=sa;Password=Vang 2026, mới;Encrypt=no",
            "Server=192.168.1.10,1433;Database=PMV;User Id=sa;Password=***;Encrypt=no",
            "Vang",
            {K.SECRET_PARAM: 1},
        ),
        (
            "DRIVER={SQL Server};UID=sa;PWD={Kh0;Vang}}26};SERVER=host",
            "DRIVER={SQL Server};UID=sa;PWD=***;SERVER=host",
            "Vang",
            {K.SECRET_PARAM: 1},
        ),
        (  # a password in SQLAlchemy's query: no URL fragment there, '#' belongs to it
            "mssql+pymssql://host/PMV?user=sa&password=Kh0!Vang#2026&charset=utf8",
            "mssql+pymssql://host/PMV?user=sa&password=***&charset=utf8",
            "Vang",
            {K.SECRET_PARAM: 1},
        ),
    ],
)
def test_database_url_passwords_are_hidden(
    url: str, expected: str, secret: str, counts: dict[RedactionKind, int]
) -> None:
    redacted, got = redact_mapping({"pos": {"url": url, "process_name": "PMV.exe"}})
    assert redacted == {"pos": {"url": expected, "process_name": "PMV.exe"}}
    assert secret not in str(redacted)
    assert got == counts
    assert redact_mapping(redacted) == (redacted, {})  # idempotent


@pytest.mark.parametrize(
    "url",
    [
        "mssql+pyodbc://sa@192.168.1.10:1433/PMV?driver=ODBC+Driver+17+for+SQL+Server",
        "postgresql://pmv@db:5432/pmv",
        "mssql+pyodbc://192.168.1.10/PMV?trusted_connection=yes",
        "sqlite:///C:/PMV/data/pmv.db",
        "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BSQL+Server%7D%3BSERVER%3Dhost%3BDATABASE%3DPMV%3BTrusted_Connection%3Dyes",
        "DRIVER={SQL Server};SERVER=host;DATABASE=PMV;UID=sa;Trusted_Connection=yes;",
        "http://192.168.1.5:8080/api/tickets?by=thungan01@QUAY-01",  # host:port, then an '@' in the query
    ],
)
def test_database_urls_without_a_password_are_untouched(url: str) -> None:
    assert redact_mapping({"pos": {"url": url}}) == ({"pos": {"url": url}}, {})
    assert redact_text(url) == RedactionResult(url, {})


def test_database_passwords_in_a_log_are_hidden() -> None:
    log = (
        "2026-11-24 10:15:00 ERROR Không kết nối được mssql+pyodbc://sa:Kh0!Vang#2026@192.168.1.10/PMV (lần 3)\n"
        "2026-11-24 10:15:01 DEBUG odbc DRIVER={ODBC Driver 17 for SQL Server};SERVER=192.168.1.10;UID=sa;PWD=Kh0!Vang#2026;\n"
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=Vang@9999 từ máy QUAY-01; ca sáng, HĐ 1C26TVG-0000063"
    )
    result = redact_text(log)
    assert result.text == (
        "2026-11-24 10:15:00 ERROR Không kết nối được mssql+pyodbc://sa:***@192.168.1.10/PMV (lần 3)\n"
        "2026-11-24 10:15:01 DEBUG odbc DRIVER={ODBC Driver 17 for SQL Server};SERVER=192.168.1.10;UID=sa;PWD=***;\n"
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=*** từ máy QUAY-01; ca sáng, HĐ 1C26TVG-0000063"
    )
    assert result.counts == {K.URL_CREDENTIAL: 1, K.SECRET_PARAM: 2}
    assert redact_text(result.text) == RedactionResult(result.text, {})
