"""Redaction of the diagnostics bundle a shop sends to the vendor.

Logs and settings dumps leave the shop, so before they go we remove what the
vendor has no business reading: credentials (URL passwords, secret query,
``key=value`` or ``key: value`` parameters, ``Authorization`` headers, ``pmv_``
shop tokens) and customers' personal data (CCCD/CMND numbers, phone numbers,
e-mail addresses, bank account numbers, the names of customers in POS log lines).
The contact's and the shop's own phone numbers are kept: the technician needs
them to call back.  So are 1800/1900 service numbers, which belong to
businesses.  A customer's name keeps all but its last word's first letter,
exactly as the cash-limit compliance check shows it (``Nguyễn Thị L***``), so
a technician can match the log against what the shop sees.

Two properties matter more than cleverness:

* **idempotent**: bundles are re-exported, and a redacted file redacted again
  must come out byte-identical with zero new counts, so every placeholder is
  something no rule matches again;
* **no false positives** on what a technician needs to read in a POS log:
  timestamps, amounts (``20.000.000``), invoice numbers (``1C26TVG-0000063``),
  weights, IP addresses, versions.

Text is read composed (Unicode NFC), whatever spelling a POS wrote.

Counts are returned per :class:`RedactionKind` so the UI can tell the cashier
what was hidden (in its own words); kinds with nothing redacted are absent.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from app.support.bank_account import find_bank_accounts
from app.support.connection_strings import connection_secrets
from app.support.customer_names import find_customer_names
from app.support.secret_names import LOOSE_AMBIGUOUS, MASK, PASSWORD_NAMES, already_masked, is_secret_name, name_key
from app.updates.compliance import mask_name
from pmv_protocol.phone import PhoneError, PhoneKind, find_phone_numbers, parse_phone, standalone

__all__ = [
    "MASK",
    "RedactionKind",
    "RedactionResult",
    "redact_mapping",
    "redact_text",
]

CITIZEN_ID_MARK = "[CCCD]"
PHONE_MARK = "[SĐT]"
EMAIL_MARK = "[email]"
BANK_ACCOUNT_MARK = "[STK]"


class RedactionKind(enum.StrEnum):
    URL_CREDENTIAL = "url_credential"  # scheme://user:secret@host
    SECRET_PARAM = "secret_param"  # ?token=..., password=... in a line, "api_key": "..."
    AUTH_HEADER = "auth_header"  # Authorization: Bearer/Basic ..., a bare long Bearer token
    SHOP_TOKEN = "shop_token"  # pmv_... vendor API token
    SECRET_FIELD = "secret_field"  # a settings value under a secret-looking key
    CITIZEN_ID = "citizen_id"  # CCCD (12 digits) or labelled CMND (9 digits)
    PHONE = "phone"
    EMAIL = "email"
    BANK_ACCOUNT = "bank_account"  # labelled STK / số tài khoản, or digits beside a bank's name
    CUSTOMER_NAME = "customer_name"  # a name after "Khách", "KH0001", "customer=" ...


@dataclass(frozen=True)
class RedactionResult:
    text: str
    counts: dict[RedactionKind, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- the rules ----------------------------------------------------------------

# scheme://user:password@host.  SQLAlchemy, which opens pos.url, takes '#',
# '/' and '?' as part of the password, and URLs written by hand rarely
# percent-encode it ("sa:Pmv@2024@192.168.1.10", "sa:Kh0!Vang#2026@host"), so
# the password runs to the *last* '@' that is followed by a host.  (A query
# holding an '@' after a password is hidden with it: more hidden, nothing leaked.)
# In a text, the URL ends at whitespace, a quote or the next "://".  The scheme starts where a run of
# scheme characters starts, never inside one: tried again after each '.' or '-' of a long run (a POS's
# hex dump "4A-6F-..."), each try reading to the run's end, the search was quadratic.
_URL_CREDENTIAL = re.compile(
    r"(?P<head>(?<![\w+.\-])(?P<scheme>[a-zA-Z][\w+.\-]*)://[^\s/?#:\"']*:)"
    r"(?P<secret>(?:(?!://)[^\s\"'])+)"
    r"(?=@[^\s\"'/?#:@]*(?:[\s\"'/?#:]|$))"
)
# A settings value that is one URL (pos.url): whitespace is part of the password too.
_URL_VALUE = re.compile(r"\s*(?P<scheme>[a-zA-Z][\w+.\-]*)://")
_URL_VALUE_CREDENTIAL = re.compile(
    r"(?P<head>\s*(?P<scheme>[a-zA-Z][\w+.\-]*)://[^:/?#\r\n]*:)"
    r"(?P<secret>[^\r\n]+)"
    r"(?=@[^/?#@:\r\n]*(?:[/?#:]|\Z))"
)
# On the web, "host:8080/path?by=lan@x" is a port and a path, not a password;
# a database URL has no such reading (SQLAlchemy would take it as a password).
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss"})
_PORT_THEN_PATH = re.compile(r"[0-9]{1,5}[/?#]")
# A database URL's query (SQLAlchemy's: no fragment, so '#' belongs to the value).
_QUERY_PARAM = re.compile(r"(?<=[?&])(?P<name>[^=&\r\n]+)=(?P<value>[^&\r\n]*)")
# An odbc_connect=... query value: the connection string is percent-encoded.  Every value is read to its
# end and the encoded '=' ("%3D") looked for in code: a pattern requiring it was tried again at each '?'
# of a long value, each try reading to the value's end.
_ENCODED_QUERY_VALUE = re.compile(r"(?<=[?&])[A-Za-z0-9_.\-]+=(?P<value>[^\s&\"']*)")
_ENCODED_EQUALS = "%3d"
_LINE = re.compile(r"[^\r\n]+")
_AUTH_HEADER = re.compile(
    r"(?P<head>\bauthorization\b[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest|negotiate)\s+)?)"
    r"(?P<secret>[^\s\"',;}\]]+)",
    re.IGNORECASE,
)
# "Bearer <token>" outside a header (an exception message, a curl command):
# only long values, so English prose ("Bearer token missing") is left alone.
_BARE_BEARER = re.compile(r"(?P<head>\bBearer\s+)(?P<secret>[A-Za-z0-9\-._~+/]{16,}=*)")
# vendor_server issues "pmv_" + secrets.token_urlsafe(32); identifiers such
# as "pmv_support_en" are shorter and have no digit or capital.
_SHOP_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-])pmv_(?=[A-Za-z0-9_\-]*[A-Z0-9])[A-Za-z0-9_\-]{20,}")
# name=value in a URL query, a fragment or a log line; also "name = value" (an
# INI file), "name: value" (YAML, an HTTP header such as "X-Api-Key: ...", a
# log message) and the Vietnamese "Mật khẩu: ...".  Only the name is matched;
# where the value ends is worked out by _param_value_span, and names inside a
# value that is not a secret are still found ("url=https://x.vn/a?api_key=...").
_PARAM = re.compile(
    r"(?:^|(?<=[\s?&;,(\[{\"'#]))(?P<name>[A-Za-z][A-Za-z0-9_.\-]*|(?i:mật|mat)[ \t]+(?i:khẩu|khau))"
    r"[ \t]*[:=][ \t]*"
)
# The closing quote of a string that holds "password=..." ('msg': 'login password=x', ...).
_ENCLOSING_QUOTE_END = re.compile(r"[\"'](?=[ \t]*(?:[,:;}\])\r\n]|$))")
# "name": "value" / 'name': 'value' in JSON or a repr.
_QUOTED_PARAM = re.compile(
    r"(?P<q>[\"'])(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)(?P=q)(?P<sep>\s*:\s*)(?P<vq>[\"'])(?P<value>[^\"'\n]*)(?P=vq)"
)
# Not after "/" or "://": "https://user@host" is a URL, not an address.
_EMAIL = re.compile(
    r"(?<![\w/.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*"  # local part
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"  # domain
)
# CCCD: 12 digits starting with the province code 001-096 (Thông tư
# 59/2021/TT-BCA), and standalone (checked with phone.standalone), so a
# compact timestamp (202611241012) or part of an invoice number is not touched.
_CCCD = re.compile(r"(?<![0-9])0(?:0[1-9]|[1-8][0-9]|9[0-6])[0-9]{9}(?![0-9])")
# The old 9-digit CMND is only recognisable by its label: as written in prose
# ("CMND số", "Căn cước công dân:") or as the key of a POS payload ("so_cmnd=",
# '"cmnd": "', "cmnd_so: ", "so_cccd_kh"; one word on each side: repeated
# words made the pattern backtrack quadratically over a long identifier).  The
# number is read by _citizen_id_end.
_ID_LABEL = re.compile(
    r"(?<!\w)(?:CMND/CCCD|CCCD/CMND|CMT|căn cước(?: công dân)?|số định danh|chứng minh(?: nhân dân| thư)?"
    r"|(?:[^\W_]+_)?(?:CMND|CMTND|CCCD)(?:_[^\W_]+)?)(?!\w)"
    r"[\"']?\s*(?:số\s*|no\.?\s*|#\s*)?[:.=]?\s*[\"']?(?=[0-9])",
    re.IGNORECASE,
)
_ID_DIGITS = (9, 12)  # CMND, CCCD
_DIGIT_RUN = re.compile(r"[0-9]+")


def _composed(text: str) -> str:
    """``text`` in Unicode NFC, the one spelling the rules read.

    Vietnamese letters have two: precomposed ("ễ") or decomposed ("e" and two
    combining marks), which some POS builds write and a Windows-1258 log
    decodes to.  Decomposed, a label ("Khách", "Tài khoản") or a name is not
    found: the combining marks are no word characters.
    """
    return unicodedata.normalize("NFC", text)


class _Redactor:
    """Applies the text rules in a fixed order, counting what each one hid.

    Order matters: headers and tokens first (a shop token inside a query
    parameter counts once, as a shop token), e-mails before phones
    (``0903112233@gmail.com`` is an address), a labelled CCCD before bank
    accounts, accounts before a bare CCCD and phones (a 12-digit account
    beside "Sacombank" is an account, a mobile number given as an account is
    one too), customer names last (they hold no digits).
    """

    def __init__(self, keep_phones: Iterable[str]) -> None:
        self.counts: Counter[RedactionKind] = Counter()
        self._keep: frozenset[str] = frozenset(e164 for entry in keep_phones for e164 in _e164s(entry))

    def text(self, text: str) -> str:
        text = _composed(text)
        text = self._sub(_AUTH_HEADER, text, RedactionKind.AUTH_HEADER)
        text = self._sub(_BARE_BEARER, text, RedactionKind.AUTH_HEADER)
        text = self._shop_tokens(text)
        text = self._url_credentials(text)
        text = self._encoded_connection_strings(text)
        text = self._connection_strings(text)
        text = self._params(text)
        text = self._emails(text)
        text = self._labelled_citizen_ids(text)
        text = self._bank_accounts(text)
        text = self._bare_citizen_ids(text)
        text = self._phones(text)
        return self._customer_names(text)

    def _sub(self, pattern: re.Pattern[str], text: str, kind: RedactionKind) -> str:
        def replace(m: re.Match[str]) -> str:
            if already_masked(m.group("secret")):
                return m.group(0)
            self.counts[kind] += 1
            return m.group("head") + MASK

        return pattern.sub(replace, text)

    def value(self, text: str) -> str:
        """A settings value: if it is one URL (pos.url), read it whole first, as SQLAlchemy does."""
        text = _composed(text)
        if (url := _URL_VALUE.match(text)) is not None:
            credential = _URL_VALUE_CREDENTIAL.match(text)
            if credential is not None and _hides_password(credential):
                self.counts[RedactionKind.URL_CREDENTIAL] += 1
                text = text[: credential.end("head")] + MASK + text[credential.end("secret") :]
            if url.group("scheme").lower() not in _WEB_SCHEMES:
                text = self._database_query(text, url.end())
        return self.text(text)

    def _url_credentials(self, text: str) -> str:
        def replace(m: re.Match[str]) -> str:
            if not _hides_password(m):
                return m.group(0)
            self.counts[RedactionKind.URL_CREDENTIAL] += 1
            return m.group("head") + MASK

        return _URL_CREDENTIAL.sub(replace, text)

    def _database_query(self, text: str, start: int) -> str:
        """Secret parameters of a database URL's query, each to the next '&'."""
        query = text.find("?", start)
        if query < 0:
            return text
        spans = [
            m.span("value")
            for m in _QUERY_PARAM.finditer(text, query)
            if is_secret_name(unquote_plus(m.group("name"))) and m.group("value")
            and not already_masked(m.group("value"))
        ]
        self.counts[RedactionKind.SECRET_PARAM] += len(spans)
        return _mask_spans(text, spans)

    def _connection_strings(self, text: str) -> str:
        spans = [
            (line.start() + start, line.start() + end)
            for line in _LINE.finditer(text)
            for start, end in connection_secrets(line.group(0))
        ]
        self.counts[RedactionKind.SECRET_PARAM] += len(spans)
        return _mask_spans(text, spans)

    def _encoded_connection_strings(self, text: str) -> str:
        """``odbc_connect=DRIVER%3D...%3BPWD%3D...``: found decoded, masked where it is written."""
        spans: list[tuple[int, int]] = []
        for m in _ENCODED_QUERY_VALUE.finditer(text):
            if _ENCODED_EQUALS not in m.group("value").lower():
                continue
            decoded, offsets = _percent_decode(m.group("value"))
            base = m.start("value")
            spans += [(base + offsets[start], base + offsets[end]) for start, end in connection_secrets(decoded)]
        self.counts[RedactionKind.SECRET_PARAM] += len(spans)
        return _mask_spans(text, spans)

    def _shop_tokens(self, text: str) -> str:
        def replace(m: re.Match[str]) -> str:
            self.counts[RedactionKind.SHOP_TOKEN] += 1
            return "pmv_" + MASK

        return _SHOP_TOKEN.sub(replace, text)

    def _params(self, text: str) -> str:
        """Secret parameters: quoted JSON/repr pairs first, then name=value."""

        def quoted(m: re.Match[str]) -> str:
            value = m.group("value")
            if not is_secret_name(m.group("name")) or not value or already_masked(value):
                return m.group(0)
            self.counts[RedactionKind.SECRET_PARAM] += 1
            q, vq = m.group("q"), m.group("vq")
            return f"{q}{m.group('name')}{q}{m.group('sep')}{vq}{MASK}{vq}"

        text = _QUOTED_PARAM.sub(quoted, text)
        pieces: list[str] = []
        position = 0
        for m in _PARAM.finditer(text):
            if m.start() < position or not is_secret_name(m.group("name")):
                continue  # inside a value already hidden, or not a secret
            loose = text[m.end("name"):m.end()].strip() != "=" or text[m.end("name")] != "="  # "name: x", "name = x"
            key = name_key(m.group("name"))
            if loose and key in LOOSE_AMBIGUOUS:
                continue  # "Key: F5 pressed", "Signature: valid", "pin: 3 (DSR)": words of a log, not a secret's name
            start, end = _param_value_span(text, m.end(), url=m.start() > 0 and text[m.start() - 1] in "?&#")
            if loose and any(part in key for part in PASSWORD_NAMES):
                end = _line_end(text, start)  # "Password = Kim Vang 2024": a password written loose may hold spaces
            if start == end or already_masked(text[start:end]):
                continue  # empty ("token_count="), or done before
            pieces += [text[position:start], MASK]
            position = end
            self.counts[RedactionKind.SECRET_PARAM] += 1
        pieces.append(text[position:])
        return "".join(pieces)

    def _emails(self, text: str) -> str:
        def replace(m: re.Match[str]) -> str:
            self.counts[RedactionKind.EMAIL] += 1
            return EMAIL_MARK

        return _EMAIL.sub(replace, text)

    def _labelled_citizen_ids(self, text: str) -> str:
        spans: list[tuple[int, int]] = []
        for label in _ID_LABEL.finditer(text):
            if spans and label.start() < spans[-1][1]:
                continue  # a key-like word inside the number just found
            if (end := _citizen_id_end(text, label.end())) is not None:
                spans.append((label.end(), end))
        self.counts[RedactionKind.CITIZEN_ID] += len(spans)
        return _mask_spans(text, spans, CITIZEN_ID_MARK)

    def _bare_citizen_ids(self, text: str) -> str:
        def bare(m: re.Match[str]) -> str:
            if not standalone(m.string, m.start(), m.end()):
                return m.group(0)
            self.counts[RedactionKind.CITIZEN_ID] += 1
            return CITIZEN_ID_MARK

        return _CCCD.sub(bare, text)

    def _bank_accounts(self, text: str) -> str:
        spans = []
        for match in find_bank_accounts(text):
            if not match.labelled and self._kept_phone(text[match.start : match.end]):
                continue  # "Vietcombank 1900 545413": the bank's hotline, or the contact's own number
            spans.append((match.start, match.end))
        self.counts[RedactionKind.BANK_ACCOUNT] += len(spans)
        return _mask_spans(text, spans, BANK_ACCOUNT_MARK)

    def _kept_phone(self, written: str) -> bool:
        try:
            number = parse_phone(written)
        except PhoneError:
            return False
        return number.kind is PhoneKind.SERVICE or number.e164 in self._keep

    def _customer_names(self, text: str) -> str:
        pieces: list[str] = []
        position = 0
        for start, end in find_customer_names(text):
            # The compliance check's own function: the bundle names a customer as its report does.
            pieces += [text[position:start], mask_name(text[start:end])]
            position = end
            self.counts[RedactionKind.CUSTOMER_NAME] += 1
        pieces.append(text[position:])
        return "".join(pieces)

    def _phones(self, text: str) -> str:
        pieces: list[str] = []
        position = 0
        for start, end, number in find_phone_numbers(text):
            # 1800/1900 numbers belong to businesses (the vendor's own hotline
            # among them): not personal data, and the technician needs them.
            if number.e164 in self._keep or number.kind is PhoneKind.SERVICE:
                continue
            pieces.append(text[position:start])
            pieces.append(PHONE_MARK)
            position = end
            self.counts[RedactionKind.PHONE] += 1
        pieces.append(text[position:])
        return "".join(pieces)

    def result_counts(self) -> dict[RedactionKind, int]:
        return {kind: n for kind, n in self.counts.items() if n}


def _hides_password(m: re.Match[str]) -> bool:
    """Whether a URL credential match is a password still to hide (not "host:8080/path" on the web)."""
    secret = m.group("secret")
    if already_masked(secret):
        return False
    return not (m.group("scheme").lower() in _WEB_SCHEMES and _PORT_THEN_PATH.match(secret))


def _citizen_id_end(text: str, start: int) -> int | None:
    """Where the CCCD/CMND number written at ``start`` (after its label) ends; None if there is none.

    One run of digits, or groups joined by one kind of separator, as on the card
    or read aloud ("079 123 456 789", "079.123.456.789", "025-123-456"): the
    longest reading of whole groups with 12 or 9 digits, not glued to a letter.
    The label makes it certain, so what follows does not matter; a group after
    the number ("CMND 025 123 456 20.000.000 ₫") is left out of it.
    """
    found = None
    digits = 0
    separator = ""
    position = start
    while (group := _DIGIT_RUN.match(text, position)) is not None:
        digits += len(group.group())
        if digits > max(_ID_DIGITS):
            break
        end = group.end()
        glued = end < len(text) and (text[end].isalnum() or text[end] == "_")
        if digits in _ID_DIGITS and not glued:
            found = end
        if end + 1 >= len(text) or text[end] not in " .-" or separator not in ("", text[end]):
            break
        separator, position = text[end], end + 1
    return found


def _param_value_span(text: str, start: int, *, url: bool) -> tuple[int, int]:
    """Where the value of ``name=`` starting at ``start`` lies (``start == end`` when empty).

    A quoted value runs to its closing quote on the line (to the line's end
    if there is none).  Otherwise it runs to whitespace: '#', ',', ';', ')'
    and the like are part of a password ("password=Thu#Ngan2026"); hiding a
    trailing comma with it leaks nothing, stopping at it could.  Only a
    query's '&' (after '?', '&' or '#') ends it early, and the closing quote
    of a string the pair sits in ("'msg': 'login password=x'").
    """
    if start < len(text) and text[start] in "\"'":
        line_end = _line_end(text, start)
        close = text.find(text[start], start + 1, line_end)
        return start + 1, close if close >= 0 else line_end
    end = start
    while end < len(text) and not text[end].isspace():
        if (url and text[end] == "&") or (text[end] in "\"'" and _ENCLOSING_QUOTE_END.match(text, end)):
            break
        end += 1
    return start, end


def _line_end(text: str, start: int) -> int:
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    return min(ends, default=len(text))


def _mask_spans(text: str, spans: list[tuple[int, int]], mark: str = MASK) -> str:
    """``text`` with each of the (sorted, disjoint) spans replaced by ``mark``."""
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces += [text[position:start], mark]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _percent_decode(text: str) -> tuple[str, list[int]]:
    """``text`` URL-decoded one character per escape, with where each character starts in ``text``.

    Bytes are not assembled into UTF-8: the names and delimiters that matter
    are ASCII, and the offsets stay exact.  The list ends with ``len(text)``.
    """
    chars: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(text):
        offsets.append(i)
        escape = text[i + 1 : i + 3]
        if text[i] == "%" and len(escape) == 2 and all(c in "0123456789abcdefABCDEF" for c in escape):
            chars.append(chr(int(escape, 16)))
            i += 3
        else:
            chars.append(" " if text[i] == "+" else text[i])
            i += 1
    offsets.append(len(text))
    return "".join(chars), offsets


def _e164s(entry: str) -> list[str]:
    """The numbers of one keep entry: one number, or several ("028 3822 1234 – 0903 112 233").

    An entry with no number in it can match nothing, so it is dropped rather than raised.
    """
    try:
        return [parse_phone(entry).e164]
    except PhoneError:
        return [number.e164 for _start, _end, number in find_phone_numbers(entry)]


def redact_text(text: str, *, keep_phones: Iterable[str] = ()) -> RedactionResult:
    """Redact one text (a log file, a note); numbers in ``keep_phones`` stay.

    ``keep_phones`` may be written any way :func:`~pmv_protocol.phone.parse_phone`
    accepts; they are compared by their normalised E.164 form, so
    ``0903 112 233`` keeps ``+84903112233`` and ``0903.112.233`` in the text.
    """
    redactor = _Redactor(keep_phones)
    return RedactionResult(redactor.text(text), redactor.result_counts())


def redact_mapping(
    data: Mapping[Any, Any], *, keep_phones: Iterable[str] = ()
) -> tuple[dict[Any, Any], dict[RedactionKind, int]]:
    """Redact a settings dump (nested dicts and lists); the input is not modified.

    Every scalar under a key that names a secret (password, passwd, secret,
    token, api_key, private, ...) becomes ``"***"``, however deep; other
    strings go through :func:`redact_text`.  Unset secrets (``None``, ``""``)
    and booleans (``token_enabled``) are left as they are: they tell the
    technician "not configured" and reveal nothing.  Keys are never changed.
    """
    redactor = _Redactor(keep_phones)
    walked = _walk(data, secret=False, redactor=redactor)
    assert isinstance(walked, dict)
    return walked, redactor.result_counts()


def _walk(value: Any, *, secret: bool, redactor: _Redactor) -> Any:
    if isinstance(value, Mapping):
        return {
            key: _walk(item, secret=secret or _is_secret_key(key), redactor=redactor)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        items = [_walk(item, secret=secret, redactor=redactor) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    if secret:
        return _mask_scalar(value, redactor)
    if isinstance(value, str):
        return redactor.value(value)
    return value


def _is_secret_key(key: Any) -> bool:
    name = str(key).lower().replace("-", "_")
    return any(part in name for part in ("password", "passwd", "secret", "token", "api_key", "apikey", "private"))


def _mask_scalar(value: Any, redactor: _Redactor) -> Any:
    if value is None or value == "" or isinstance(value, bool) or value == MASK:
        return value
    redactor.counts[RedactionKind.SECRET_FIELD] += 1
    return MASK

