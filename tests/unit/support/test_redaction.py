from __future__ import annotations

import copy
import unicodedata

import pytest

from app.support import redaction
from app.support.redaction import RedactionKind, RedactionResult, redact_mapping, redact_text

K = RedactionKind

# A slice of a PMV POS log as a shop would send it.
SHOP_TOKEN = "pmv_Q2x9fK3mZ0aB7cD1eF5gH8iJ4kL6nP0rS2tU9vW3xY"
LOG = "\n".join(
    [
        "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị Lan SĐT 0903 112 233, CCCD 079123456789 mua 2 chỉ",
        "2026-11-24 10:13:02 INFO  Lập HĐ 1C26TVG-0000063: nhẫn trơn 9999, 3,750 g, tổng 20.000.000 ₫",
        "2026-11-24 10:13:05 WARN  Khách Nguyễn Thị Lan mua đủ 20.000.000 ₫ tiền mặt trong ngày (NĐ 232/2025)",
        (
            "2026-11-24 10:14:10 DEBUG POST https://api.pmv.vn/api/v1/tickets?shop=KP-0001&token=abc123XYZ&lang=vi "
            f"Authorization: Bearer {SHOP_TOKEN}"
        ),
        (
            "2026-11-24 10:15:00 ERROR Không kết nối được "
            "mssql://sa:Pmv@2024@192.168.1.10:1433/PMVGold (127.0.0.1, v5.8.2)"
        ),
        (
            "2026-11-24 10:16:21 INFO  Khách Trần Văn Hùng, email hung.tran@gmail.com, CMND: 123456789, "
            "ĐT nhà (028) 3822 1234"
        ),
        "2026-11-24 10:17:30 INFO  Liên hệ hỗ trợ: chị Mai 0912.345.678, hotline 1900 6037",
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=Vang@9999 từ máy QUAY-01",
    ]
)
REDACTED_LOG = "\n".join(
    [
        "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị L*** SĐT [SĐT], CCCD [CCCD] mua 2 chỉ",
        "2026-11-24 10:13:02 INFO  Lập HĐ 1C26TVG-0000063: nhẫn trơn 9999, 3,750 g, tổng 20.000.000 ₫",
        "2026-11-24 10:13:05 WARN  Khách Nguyễn Thị L*** mua đủ 20.000.000 ₫ tiền mặt trong ngày (NĐ 232/2025)",
        (
            "2026-11-24 10:14:10 DEBUG POST https://api.pmv.vn/api/v1/tickets?shop=KP-0001&token=***&lang=vi "
            "Authorization: Bearer ***"
        ),
        "2026-11-24 10:15:00 ERROR Không kết nối được mssql://sa:***@192.168.1.10:1433/PMVGold (127.0.0.1, v5.8.2)",
        "2026-11-24 10:16:21 INFO  Khách Trần Văn H***, email [email], CMND: [CCCD], ĐT nhà [SĐT]",
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
        K.CUSTOMER_NAME: 3,
    }
    assert result.total == 12


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
            "GET /sync?user=lan&password=***&pwd=***&pass=***&key=***&secret=***&auth=***&api_key=***"
            "&access_token=***&page=2",
            {K.SECRET_PARAM: 8},
        ),
        # '#' is hidden with the value even in a web URL: "#top" is lost, but a
        # hand-written "?API_KEY=Zz9#1" keeps nothing of the key either.
        ("url=https://x.vn/a?API_KEY=Zz9#top", "url=https://x.vn/a?API_KEY=***", {K.SECRET_PARAM: 1}),
        (
            "config {'db_password': 'Vang@9999', 'host': 'pos'}",
            "config {'db_password': '***', 'host': 'pos'}",
            {K.SECRET_PARAM: 1},
        ),
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
        "bank_account",
        "customer_name",
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
        (
            "mssql+pyodbc://sa:Kh0!Vang#2026@host/PMV",
            "mssql+pyodbc://sa:***@host/PMV",
            "Vang#2026",
            {K.URL_CREDENTIAL: 1},
        ),
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
        "2026-11-24 10:15:01 DEBUG odbc DRIVER={ODBC Driver 17 for SQL Server};"
        "SERVER=192.168.1.10;UID=sa;PWD=Kh0!Vang#2026;\n"
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=Vang@9999 từ máy QUAY-01; "
        "ca sáng, HĐ 1C26TVG-0000063"
    )
    result = redact_text(log)
    assert result.text == (
        "2026-11-24 10:15:00 ERROR Không kết nối được mssql+pyodbc://sa:***@192.168.1.10/PMV (lần 3)\n"
        "2026-11-24 10:15:01 DEBUG odbc DRIVER={ODBC Driver 17 for SQL Server};SERVER=192.168.1.10;UID=sa;PWD=***;\n"
        "2026-11-24 10:18:00 INFO  Đăng nhập user=thungan01 password=*** từ máy QUAY-01; ca sáng, HĐ 1C26TVG-0000063"
    )
    assert result.counts == {K.URL_CREDENTIAL: 1, K.SECRET_PARAM: 2}
    assert redact_text(result.text) == RedactionResult(result.text, {})


# --- issue 18: secrets with '#' and other punctuation in name=value -------------
# Real forms: a POS login line, Python/Java reprs of a connect() call, a JSON log
# message, URL queries and fragments (RFC 3986 §3.4–3.5: '&' separates query
# pairs, '#' starts the fragment, which OAuth 2.0's implicit flow, RFC 6749
# §4.2.2, fills with access_token=...), and ODBC / ADO.NET connection strings
# ('name=value;' pairs, '{...}' quoting, as Microsoft documents for SQL Server).

@pytest.mark.parametrize(
    ("text", "expected", "secret"),
    [
        # the issue's own line: the value used to stop at '#'
        ("user=thungan password=Thu#Ngan2026", "user=thungan password=***", "Ngan"),
        ("Đăng nhập user=thungan01 password=Kh0!Vang,2026; ca sáng", "Đăng nhập user=thungan01 password=*** ca sáng",
         "Vang"),
        ("login pwd=(Vang)2026 from QUAY-01", "login pwd=*** from QUAY-01", "Vang"),
        ("mat_khau=Vàng@99#9'x", "mat_khau=***", "99"),
        ("PIN=12#34 ok", "PIN=*** ok", "34"),
        ("db.password=a&b#c=d", "db.password=***", "b#c"),  # not in a query: '&' is part of it
        # quoted values: spaces and quotes of the other kind inside
        ('password="Thu Ngan#2026" user=sa', 'password="***" user=sa', "Ngan"),
        ("connect(user='sa', password='Thu#Ngan \"2026\"')", "connect(user='sa', password='***')", "Ngan"),
        ("password='unterminated #1", "password='***", "unterminated"),
        ('{"password": "Thu#Ngan 2026", "user": "sa"}', '{"password": "***", "user": "sa"}', "Ngan"),
        # a pair inside a quoted log message: the message's closing quote stays
        ('{"msg": "login password=Thu#Ngan2026", "level": "info"}', '{"msg": "login password=***", "level": "info"}',
         "Ngan"),
        ("{'msg': 'retry token=ab#cd'}", "{'msg': 'retry token=***'}", "cd"),
        # URL queries and fragments
        ("GET https://pos.kimphat.vn/sync?user=lan&password=Thu#Ngan2026&page=2",
         "GET https://pos.kimphat.vn/sync?user=lan&password=***&page=2", "Ngan"),
        ("GET /sync?token=abc,def;ghi&x=1", "GET /sync?token=***&x=1", "def"),
        ("redirect https://pos.vn/cb#access_token=eyJh.e30#x&state=9", "redirect https://pos.vn/cb#access_token=***&state=9",
         "eyJh"),
        ("mssql+pymssql://host/PMV?user=sa&password=Thu#Ngan2026&charset=utf8",
         "mssql+pymssql://host/PMV?user=sa&password=***&charset=utf8", "Ngan"),
        # connection strings in a log line
        ("odbc DRIVER={SQL Server};SERVER=192.168.1.10;UID=sa;PWD=Thu#Ngan2026;",
         "odbc DRIVER={SQL Server};SERVER=192.168.1.10;UID=sa;PWD=***;", "Ngan"),
        ("Data Source=.\\SQLEXPRESS;Initial Catalog=PMV;User ID=sa;Password={Thu#Ngan;2026}",
         "Data Source=.\\SQLEXPRESS;Initial Catalog=PMV;User ID=sa;Password=***", "Ngan"),
        ("mssql+pyodbc://sa:Thu#Ngan2026@192.168.1.10/PMV", "mssql+pyodbc://sa:***@192.168.1.10/PMV", "Ngan"),
    ],
)
def test_secret_values_with_punctuation_are_hidden_whole(text: str, expected: str, secret: str) -> None:
    result = redact_text(text)
    assert result.text == expected
    assert secret not in result.text
    assert set(result.counts) <= {K.SECRET_PARAM, K.URL_CREDENTIAL} and result.total == 1
    assert redact_text(result.text) == RedactionResult(result.text, {})


# --- issue 18: bank account numbers -----------------------------------------------
# Decree 232/2025/NĐ-CP moves payments of 20,000,000 đ a day or more to bank
# transfer, so account numbers reach POS logs.  Lengths: Vietnamese banks use
# roughly 9 to 16 digits ("thường có 9 – 15 chữ số",
# https://thongtinnganhang.vn/tai-khoan-ngan-hang; Vietcombank 13, Agribank 13,
# Sacombank 12 or 14, Techcombank up to 16, HDBank 6 or 15,
# https://vi.phongnhaexplorer.com/hoi-dap/ngan-hang/so-tai-khoan-vcb-co-bao-nhieu-so.html).
# The numbers below are made up, with those lengths.

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chuyển khoản STK: 0071000123456 Vietcombank", "Chuyển khoản STK: [STK] Vietcombank"),  # the line
        # labels, with and without a colon, spaces or dots inside the number
        ("CK STK 0071000123456", "CK STK [STK]"),
        ("stk:0071000123456, khách chuyển", "stk:[STK], khách chuyển"),
        ("Số tài khoản: 1903 6543 2100 12 (Techcombank)", "Số tài khoản: [STK] (Techcombank)"),
        ("số TK 0071.0001.23456 - chị Lan", "số TK [STK] - chị Lan"),
        ("tài khoản 2600-205-123456 Agribank", "tài khoản [STK] Agribank"),
        ("Tài khoản số 19036543210012", "Tài khoản số [STK]"),
        ("so tai khoan: 123456", "so tai khoan: [STK]"),  # 6 digits (HDBank's short accounts): the label decides
        ('{"stk": "0071000123456"}', '{"stk": "[STK]"}'),
        ("TK: 4221 8899 0012 3456 (thẻ)", "TK: [STK] (thẻ)"),  # a 16-digit card number given as the account
        # beside a bank's name, no label
        ("Vietcombank 0071000123456", "Vietcombank [STK]"),
        ("VCB: 0071000123456", "VCB: [STK]"),
        ("CK 20.000.000 đ vào BIDV - 12010000123456", "CK 20.000.000 đ vào BIDV - [STK]"),
        ("Agribank 1500205123456 chi nhánh Q1", "Agribank [STK] chi nhánh Q1"),
        ("Techcombank số 19036543210012", "Techcombank số [STK]"),
        ("MB 0801234567890", "MB [STK]"),
        ("ACB 123456789", "ACB [STK]"),  # 9 digits
        ("VietinBank 101234567890", "VietinBank [STK]"),
        ("Sacombank 060123456789", "Sacombank [STK]"),  # 12 digits that look like a CCCD: an account here
        ("TPBank 01234567801", "TPBank [STK]"),
        ("VPBank 123456789", "VPBank [STK]"),
        ("ngân hàng HDBank, 123456789012345", "ngân hàng HDBank, [STK]"),
        ("0071 000 123456 tại Vietcombank", "[STK] tại Vietcombank"),
        ("nhận 0071000123456 (VCB)", "nhận [STK] (VCB)"),
        ("VCB-0071000123456", "VCB-[STK]"),
    ],
)
def test_bank_account_numbers_are_hidden(text: str, expected: str) -> None:
    result = redact_text(text)
    assert result.text == expected
    assert result.counts == {K.BANK_ACCOUNT: 1}
    assert redact_text(result.text) == RedactionResult(result.text, {})


@pytest.mark.parametrize(
    "line",
    [
        "Chuyển khoản Vietcombank 20.000.000 đ cho HD-2026-000123",  # amount, invoice number
        "Vietcombank 120.000.000 đ, BIDV 1,500,000,000 VND, ACB 120000000 VND, VCB 120 000 000",
        "HĐ HD-2026-000123 thanh toán VCB",
        "Gọi hotline 1900 6037 hoặc VCB 1900 545413",  # service numbers, even beside a bank's name
        "ngày 24/11/2026, 2026-11-24 10:12:44, 24.11.2026 VCB",
        "nhẫn 9999 3,750 g (1 chỉ), lắc 1 lượng 2 chỉ 5 phân",
        "TK 1111 – Tiền mặt, TK 1121 – Tiền gửi ngân hàng",  # ledger accounts, not a bank's
        "máy chủ ngân hàng 192.168.1.10:443",
        "tài khoản thungan01 đăng nhập, tài khoản số 2",
        "VCB 12345678 (8 số)",  # shorter than any account beside a bank's name
        "[STK] Vietcombank",
    ],
)
def test_what_looks_like_an_account_but_is_not_stays(line: str) -> None:
    assert redact_text(line) == RedactionResult(line, {})


def test_the_contacts_number_beside_a_bank_name_is_kept() -> None:
    # MB lets a customer take a mobile number as the account; the contact's own number stays.
    result = redact_text("MB 0903 112 233, MB 0912 345 678", keep_phones=["0903112233"])
    assert result.text == "MB 0903 112 233, MB [STK]"
    assert result.counts == {K.BANK_ACCOUNT: 1}


# --- issue 18 (section 8): customer names in POS log lines -----------------------
# Masked by the cash-limit compliance check's own function, so the bundle and the
# check's report name a customer the same way.

@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("10:12:44 INFO  Khách Nguyễn Thị Lan mua 2 chỉ", "Nguyễn Thị Lan"),
        ("Khách hàng: Trần Văn Hùng (KH0002)", "Trần Văn Hùng"),
        ("KH0001 Lê Thị Mai Anh bán lại 1 lượng", "Lê Thị Mai Anh"),
        ("khách KH0003 - Phạm Minh Đức, tổng 25.000.000 ₫", "Phạm Minh Đức"),
        ('customer="Võ Thị Thu Hà" total=20000000', "Võ Thị Thu Hà"),
        ('{"customer_name": "Đặng Văn Bình"}', "Đặng Văn Bình"),
        ("Người bán: Huỳnh Ngọc Ánh", "Huỳnh Ngọc Ánh"),
        ("Tên KH: Ông Văn Đông", "Ông Văn Đông"),
        ("Người mua: NGUYỄN THỊ LAN, MST 0301234567", "NGUYỄN THỊ LAN"),  # in capitals, as on an e-invoice
    ],
)
def test_customer_names_are_masked_as_the_compliance_check_does(text: str, name: str) -> None:
    from app.updates.compliance import mask_name

    result = redact_text(text)
    assert result.text == text.replace(name, mask_name(name))
    assert name not in result.text and result.counts == {K.CUSTOMER_NAME: 1}
    assert redact_text(result.text) == RedactionResult(result.text, {})


@pytest.mark.parametrize(
    "line",
    [
        "Khách lẻ mua 1 chỉ, Khách lẻ không ghi tên",
        "khách hàng mới: 3",
        "Liên hệ hỗ trợ: chị Mai",  # the shop's contact, not a customer
        "2026-11-24 10:20:00,Nguyễn Văn Kỹ,unlock,ok",  # a technician in the audit log
        "Nguyễn Thị L*** (KH0001), ngày 24/11/2026: 25.000.000 ₫ tiền mặt",  # the compliance check's own line
        "Khách Nguyễn Thị L*** mua 2 chỉ",
        "KH0001 đã đổi địa chỉ",
        "Khách Lan mua 1 chỉ",  # one word: too often an ordinary word to hide
        "Khách hàng ĐT [SĐT] gọi lại",  # one word in capitals, then a masked number
        "Khách Nguyễn THỊ",  # styles mixed: not a name as written
    ],
)
def test_lines_without_a_customers_full_name_stay(line: str) -> None:
    assert redact_text(line) == RedactionResult(line, {})


def test_a_keep_entry_may_hold_several_numbers() -> None:
    # The shop's phone field as written on a signboard: a landline and a mobile.
    result = redact_text("gọi 028 3822 1234 hoặc 0903 112 233 hoặc 0987 654 321",
                         keep_phones=["028 3822 1234 – 0903.112.233"])
    assert result.text == "gọi 028 3822 1234 hoặc 0903 112 233 hoặc [SĐT]"


# --- text in Unicode NFD ---------------------------------------------------------
# Unicode (UAX #15) gives each Vietnamese letter two spellings: precomposed (NFC, "ễ" is U+1EC5) and
# decomposed (NFD, "e" + U+0302 + U+0303).  Some POS builds write NFD, and a Windows-1258 log decodes to
# letters followed by combining tone marks.  The rules read NFC, so redact_text composes its input first.

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Khách hàng: NGUYỄN THỊ LAN, Người mua: Trần Văn Hùng",
         "Khách hàng: NGUYỄN THỊ L***, Người mua: Trần Văn H***"),
        ("chứng minh nhân dân 025123456", "chứng minh nhân dân [CCCD]"),
        ("Tài khoản số 19036543210012", "Tài khoản số [STK]"),
    ],
)
def test_decomposed_text_is_redacted_as_composed(text: str, expected: str) -> None:
    result = redact_text(unicodedata.normalize("NFD", text))
    assert result.text == expected  # and composed: what the technician reads is one spelling
    assert result.total == expected.count("***") + expected.count("[")


def test_a_decomposed_settings_value_is_redacted_as_composed() -> None:
    note = unicodedata.normalize("NFD", "Khách Nguyễn Thị Lan gọi lại")
    assert redact_mapping({"note": note}) == ({"note": "Khách Nguyễn Thị L*** gọi lại"}, {K.CUSTOMER_NAME: 1})


# --- CCCD / CMND numbers as they are written ---------------------------------------
# A CCCD number is 12 digits (the personal identification number, Thông tư 59/2021/TT-BCA), an old CMND 9.
# People write them in groups, one kind of separator per number, as printed on the card or read aloud
# ("079 123 456 789", "079.123.456.789"), and a POS payload names them as a key (key=value, JSON,
# "key: value").  The label decides, so after it the longest reading with 9 or 12 digits is hidden.

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Khách xuất trình CCCD 079 123 456 789", "Khách xuất trình CCCD [CCCD]"),
        ("CCCD: 079.123.456.789", "CCCD: [CCCD]"),
        ("CCCD 079-123-456-789", "CCCD [CCCD]"),
        ("Căn cước 079 1234 56789", "Căn cước [CCCD]"),
        ("CMND 025 123 456", "CMND [CCCD]"),
        ("CMND 025 123 456 20.000.000 ₫", "CMND [CCCD] 20.000.000 ₫"),  # the amount after it is no group of it
        ("CMND=025123456", "CMND=[CCCD]"),
        ("so_cmnd=025123456", "so_cmnd=[CCCD]"),
        ('{"cmnd": "025123456", "sl": 2}', '{"cmnd": "[CCCD]", "sl": 2}'),
        ("{'so_cccd': 079123456789}", "{'so_cccd': [CCCD]}"),
        ("cmnd_so: 025123456", "cmnd_so: [CCCD]"),
        ("CMND 025123456-01", "CMND [CCCD]-01"),  # a 9-digit number glued to more: hidden after its label
    ],
)
def test_grouped_and_keyed_citizen_ids_are_hidden(text: str, expected: str) -> None:
    result = redact_text(text)
    assert result.text == expected
    assert result.counts == {K.CITIZEN_ID: 1}
    assert redact_text(result.text) == RedactionResult(result.text, {})


@pytest.mark.parametrize(
    "line",
    [
        "CCCD 079 123 45 (thiếu số)",  # 8 digits: neither a CCCD nor a CMND
        "CMND: chưa có, quầy 025 123",
        "cccd_count=12, cmnd_scan: 3 lần",
        "CCCD hết hạn 2026",
    ],
)
def test_what_follows_an_id_label_but_is_no_id_stays(line: str) -> None:
    assert redact_text(line) == RedactionResult(line, {})


# --- quoted values in connection strings ---------------------------------------------
# SqlClient's connection-string rules (Microsoft, "Connection string syntax"), which app.shop.pos_url
# follows: a value may be enclosed in double or single quotes, and then holds ';'; the enclosing quote
# doubled inside it is a literal quote.  A quoted connection string in a log line
# (ConnectionString="Server=...;Password=...") is still read pair by pair.

@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ('Server=POS;Database=PMV;User Id=sa;Password="Kim;Phat@2026"',
         "Server=POS;Database=PMV;User Id=sa;Password=***"),
        ("Server=POS;Database=PMV;User Id=sa;Password='Kim;Phat@2026'",
         "Server=POS;Database=PMV;User Id=sa;Password=***"),
        ('Server=POS;Password="Kim"";Phat";Database=PMV', "Server=POS;Password=***;Database=PMV"),  # "" is a "
        ("Server=POS;PWD='Kim'';Phat';Database=PMV", "Server=POS;PWD=***;Database=PMV"),
        ('Server=POS;Password = "Kim;Phat" ;Database=PMV', "Server=POS;Password = *** ;Database=PMV"),
        # a quoted value holding ';' before the password does not split the string
        ('Server=POS;Application Name="PMV;Quầy 1";Password=Vang 2026;',
         'Server=POS;Application Name="PMV;Quầy 1";Password=***;'),
    ],
)
def test_quoted_connection_string_passwords_are_hidden_whole(url: str, expected: str) -> None:
    assert redact_mapping({"pos": {"url": url}}) == ({"pos": {"url": expected}}, {K.SECRET_PARAM: 1})
    result = redact_text(f"connect {url} failed")
    assert result == RedactionResult(f"connect {expected} failed", {K.SECRET_PARAM: 1})
    assert redact_text(result.text) == RedactionResult(result.text, {})


def test_after_an_unclosed_quote_the_rest_of_the_line_is_the_password() -> None:
    # pos_url refuses such a string, but what follows the quote is still the password as it was typed.
    url = 'Server=POS;Database=PMV;Password="Kim;Phat'
    assert redact_mapping({"url": url}) == ({"url": "Server=POS;Database=PMV;Password=***"}, {K.SECRET_PARAM: 1})
    assert redact_text(f"{url} (lỗi)") == RedactionResult("Server=POS;Database=PMV;Password=***", {K.SECRET_PARAM: 1})


def test_a_quoted_connection_string_in_a_log_line_is_read_pair_by_pair() -> None:
    line = 'DEBUG ConnectionString="Server=POS;User Id=sa;Password=Vang 2026, mới;Encrypt=no"'
    result = redact_text(line)
    assert result == RedactionResult('DEBUG ConnectionString="Server=POS;User Id=sa;Password=***;Encrypt=no"',
                                     {K.SECRET_PARAM: 1})


# --- secrets written "name: value" or "name = value" --------------------------------------
# INI files ("Password = ..."), YAML ("secret_key: '...'"), HTTP header fields (RFC 9110 §5.1:
# field-name ":" OWS field-value, so "X-Api-Key: ...") and Vietnamese log messages ("Mật khẩu: ...").

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ERROR Đăng nhập SQL thất bại, user: sa, password: Kim@Phat2026",
         "ERROR Đăng nhập SQL thất bại, user: sa, password: ***"),
        ("INFO  [Database] Password = Kim@Phat2026", "INFO  [Database] Password = ***"),
        ("password:Kim@Phat2026", "password:***"),
        ("INFO  Mật khẩu: Kim@Phat2026", "INFO  Mật khẩu: ***"),
        ("MẬT KHẨU = Kim@Phat2026", "MẬT KHẨU = ***"),
        ("mat khau: Kim@Phat2026", "mat khau: ***"),
        ("DEBUG X-Api-Key: 9f8e7d6c5b4a39281706", "DEBUG X-Api-Key: ***"),
        ("DEBUG secret_key: 'Zx81kd02LmQp'", "DEBUG secret_key: '***'"),
    ],
)
def test_secrets_after_a_colon_or_a_spaced_equals_are_hidden(text: str, expected: str) -> None:
    result = redact_text(text)
    assert result == RedactionResult(expected, {K.SECRET_PARAM: 1})
    assert redact_text(result.text) == RedactionResult(result.text, {})


@pytest.mark.parametrize(
    "line",
    [
        "Sai mật khẩu 3 lần, mật khẩu đã đổi",  # no value given
        "keyboard: vi, monkey: 1, author: Lan, bypass = 0",
        "password:",
        "Mật khẩu: ***",
    ],
)
def test_colon_forms_without_a_secret_value_stay(line: str) -> None:
    assert redact_text(line) == RedactionResult(line, {})


# --- long runs without spaces ------------------------------------------------------------
# A .NET POS logs a serial buffer as one line of hex pairs ("4A-6F-..."): tens of thousands of characters
# with no space.  Each rule must read such a run once.  A URL's scheme used to be tried again after every
# '.' or '-' of the run, each try reading to the run's end: 63,000 characters took 3 s, a bundle half a
# minute.  Unit tests here are not timed (the machine's load is no test's business), so these check the
# property that keeps the work linear.

def test_a_url_scheme_is_only_tried_where_a_run_of_scheme_characters_begins() -> None:
    text = "x.4A-6F.mssql://sa:Kim@host"
    starts = [i for i in range(len(text)) if redaction._URL_CREDENTIAL.match(text, i)]
    assert starts == [0]
    assert redact_text(text).text == "x.4A-6F.mssql://sa:***@host"


def test_an_encoded_query_value_is_read_once_to_its_end() -> None:
    text = "?a=" * 1000
    assert [m.span("value") for m in redaction._ENCODED_QUERY_VALUE.finditer(text)] == [(3, len(text))]


def test_a_long_hex_dump_line_is_kept_and_a_credential_after_it_hidden() -> None:
    dump = "-".join(f"{i % 256:02X}" for i in range(70_000))
    line = f"2026-11-24 10:12:44 DEBUG COM3 rx: {dump} via mssql://sa:Kim@Phat@192.168.1.10/PMV"
    result = redact_text(line)
    assert result == RedactionResult(line.replace("Kim@Phat", "***"), {K.URL_CREDENTIAL: 1})


# --- smaller gaps seen in POS lines -------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        # a lowercase honorific (bà, ông, anh, chị...) between the label and the name
        ("Khách hàng: bà Nguyễn Thị Lan mua 1 lượng", "Khách hàng: bà Nguyễn Thị L*** mua 1 lượng",
         {K.CUSTOMER_NAME: 1}),
        # a doubled space, as a POS writes it joining an empty middle-name field
        ("Người mua: Phạm  Văn Đồng", "Người mua: Phạm Văn Đ***", {K.CUSTOMER_NAME: 1}),
        ("account=0071000123456", "account=[STK]", {K.BANK_ACCOUNT: 1}),
    ],
)
def test_smaller_gaps(text: str, expected: str, counts: dict[RedactionKind, int]) -> None:
    result = redact_text(text)
    assert result == RedactionResult(expected, counts)
    assert redact_text(result.text) == RedactionResult(result.text, {})


def test_a_number_with_its_country_code_in_brackets_is_a_phone() -> None:
    # "(+84) 903 112 233", as business cards and web pages write it, went out whole: the parser refused a '('
    # before the '+'. The hotline's "(24/7)" after it is still not read as digits of a number.
    result = redact_text("Khách gọi (+84) 903 112 233 hỏi giá; hotline 1900 6037 (24/7)")
    assert result.text == "Khách gọi [SĐT] hỏi giá; hotline 1900 6037 (24/7)"


@pytest.mark.parametrize(("text", "expected"), [
    # Words of a log written "name: value" are not secrets' names (they were hidden and counted as secrets).
    ("INFO Signature: valid (ed25519)", "INFO Signature: valid (ed25519)"),
    ("Key: F5 pressed on the till", "Key: F5 pressed on the till"),
    ("Printer COM3 pin: 3 (DSR) low", "Printer COM3 pin: 3 (DSR) low"),
    ("Token: expired, signing in again", "Token: expired, signing in again"),
    # A password written loose may hold spaces: hidden to the end of its line (a third of it was).
    ("Password = Kim Vang 2024\nServer = POS", "Password = ***\nServer = POS"),
    ("Mật khẩu: Kim Vang 2024", "Mật khẩu: ***"),
    # A secret's full name still is one, loose or not.
    ("api_key: zzz-123", "api_key: ***"),
    ("access_token: abc.def", "access_token: ***"),
])
def test_the_loose_forms_hide_secrets_not_a_logs_words(text: str, expected: str) -> None:
    assert redact_text(text).text == expected
