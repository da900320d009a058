"""A shop's diagnostics bundle, read so the staff console can show it rather than only offer the zip.

The shop app (``app.support.bundle.write_bundle``) attaches a zip holding
``manifest.json`` and the redacted parts: ``app.log``, ``pos.log`` (the POS
log tails, each headed ``===== name.log =====``), ``settings.json``,
``system.json``, ``devices.json``, and, from features, ``health.json``
(``app.health.output.to_json``) and the technician's ``audit.csv``.  The
remote-assistance note (``truy-cap-tu-xa.json``) carries the ID staff
connect to.

The zip comes from the internet: it is never trusted.  Nothing here raises
for a bad file; whatever cannot be read becomes a Vietnamese line in
:attr:`Bundle.problems` and the rest is still shown.  No member is ever
extracted to disk, members named like paths out of the archive are refused,
and every member is read with a hard cap (a zip bomb declares small and
inflates big, or declares big).

What a bundle may cost a page is bounded too, since the ticket page shows
every bundle of the ticket: a zip of too many entries is refused before
zipfile parses its directory; the settings are indented only when small and
shallow (indenting multiplies the text by its depth); and the checks,
devices, log tails and problem lines shown are capped, with a line saying
how many more there were.  A bundle read once is kept in a bounded cache
(:mod:`vendor_server.console.bundle_cache`), so a view does not read the zips
again.

``system.json`` is read by :mod:`vendor_server.console.bundle_till`, and
the zip is opened by :mod:`vendor_server.console.bundle_zip`.

Framework-free, like :mod:`vendor_server.tickets`; the shop app's code is
never imported here.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from pmv_protocol.remote_note import NOTE_FILE, REMOTE_ID
from vendor_server.attachments import attachment_path
from vendor_server.console.bundle_cache import read_cached
from vendor_server.console.bundle_till import Till, read_till
from vendor_server.console.bundle_zip import grouped, opened, shown, unsafe_name
from vendor_server.db import Attachment, VendorDatabase

MEMBER_MAX_BYTES = 5 * 1024 * 1024
TOTAL_MAX_BYTES = 20 * 1024 * 1024
MEMBERS_MAX = 50
LOG_LINES_MAX = 2000
NOTE_MAX_BYTES = 4096  # the note is one short JSON object
# What one bundle shows at most; a bundle from the app stays far below each (it runs a few dozen checks, sends
# app.log, three POS logs and the audit, and settings of a few KB nested 3 deep).
CHECKS_MAX = 200
DEVICES_MAX = 100
LOG_TAILS_MAX = 10
PROBLEMS_MAX = 50
SETTINGS_SHOWN_MAX = 50_000  # characters
SETTINGS_DEPTH_MAX = 8  # settings nested deeper are shown as received, not indented

MANIFEST = "manifest.json"
JSON_MEMBERS = ("settings.json", "system.json", "devices.json", "health.json")
TEXT_SUFFIXES = (".log", ".csv", ".txt")
POS_LOG = "pos.log"
_POS_HEADER = re.compile(r"^===== (?P<name>.+?) =====$")


@dataclass(frozen=True)
class CheckRow:
    """One health check as the shop's app reported it; the status is kept as given (ok, warning, skipped...)."""

    id: str
    title: str
    status: str
    summary: str
    details: str
    remedy_steps: str | None


@dataclass(frozen=True)
class LogTail:
    """The last lines of one log; a POS log is named ``pos.log/<its own name>``."""

    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Device:
    device: str
    description: str
    hwid: str


@dataclass(frozen=True)
class Bundle:
    """What one diagnostics zip holds, as far as it could be read; ``problems`` says what could not."""

    attachment_id: int
    filename: str
    created_at: str | None = None
    app: str | None = None
    checks: tuple[CheckRow, ...] = ()
    verdict: str | None = None
    logs: tuple[LogTail, ...] = ()
    settings: str | None = None  # indented JSON, or the text as received (cut, with a note, when long)
    till: Till | None = None  # None: system.json has nothing the page shows
    devices: tuple[Device, ...] = ()
    redactions: dict[str, int] = field(default_factory=dict)  # total per kind across the parts
    left_out: tuple[str, ...] = ()  # parts the cashier unticked
    problems: tuple[str, ...] = ()  # in Vietnamese, for staff


@dataclass(frozen=True)
class RemoteAccess:
    """The remote-assistance tool the shop runs and its ID (digits only)."""

    tool_name: str
    remote_id: str


# --- reading a bundle ---------------------------------------------------------------------------------------------

class _Reader:
    """Reads members of one open archive under the caps, writing down every refusal in ``problems``."""

    def __init__(self, archive: zipfile.ZipFile, problems: list[str]) -> None:
        self.archive = archive
        self.problems = problems
        self.budget = TOTAL_MAX_BYTES
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if unsafe_name(info.filename):
                problems.append(f"Bỏ qua tệp có tên không an toàn trong gói: {shown(info.filename)}")
            elif info.filename in self.members:
                problems.append(f"Gói có hai tệp cùng tên {shown(info.filename)}: chỉ đọc tệp đầu tiên")
            elif not info.is_dir():
                self.members[info.filename] = info

    def raw(self, name: str) -> bytes | None:
        """The member's bytes, or None (with a problem line) if it is absent, too big or unreadable."""
        info = self.members.get(name)
        if info is None:
            return None
        if info.file_size > MEMBER_MAX_BYTES:
            self.problems.append(f"Tệp {shown(name)} quá lớn khi giải nén ({_megabytes(info.file_size)}, "
                                 f"tối đa {_megabytes(MEMBER_MAX_BYTES)}): không đọc")
            return None
        if info.file_size > self.budget:
            self.problems.append(f"Tệp {shown(name)} vượt tổng dung lượng giải nén cho phép của gói "
                                 f"({_megabytes(TOTAL_MAX_BYTES)}): không đọc")
            return None
        try:
            with self.archive.open(info) as stream:
                # Capped by what we accept, not by the header: a lying header must not make us inflate more.
                data = stream.read(min(info.file_size, MEMBER_MAX_BYTES) + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError,
                ValueError) as exc:
            self.problems.append(f"Tệp {shown(name)} trong gói bị hỏng, không đọc được ({type(exc).__name__})")
            return None
        if len(data) > info.file_size:
            self.problems.append(f"Tệp {shown(name)} giải nén ra nhiều hơn kích thước khai báo: không đọc")
            return None
        self.budget -= len(data)
        return data

    def text(self, name: str, *, strict: bool) -> str | None:
        """UTF-8 text; a log that is not quite UTF-8 is still shown (with replacement marks), JSON is not."""
        data = self.raw(name)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            if strict:
                self.problems.append(f"Tệp {shown(name)} không phải văn bản UTF-8: không đọc")
                return None
            self.problems.append(f"Tệp {shown(name)} có ký tự không phải UTF-8: đã thay bằng dấu �")
            return data.decode("utf-8", errors="replace")

    def json(self, name: str) -> object | None:
        text = self.text(name, strict=True)
        return None if text is None else self.parsed(name, text)

    def parsed(self, name: str, text: str) -> object | None:
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            self.problems.append(f"Tệp {shown(name)} không phải JSON hợp lệ: không đọc")
            return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _tail(text: str) -> tuple[str, ...]:
    return tuple(text.splitlines()[-LOG_LINES_MAX:])


def _pos_tails(text: str) -> Iterator[LogTail]:
    """One tail per POS log file, split at the app's ``===== name.log =====`` headers (one at a time: a hostile
    log may hold a header on every line)."""
    name, lines = POS_LOG, list[str]()  # lines before any header (none from the app) still show, as pos.log
    for line in text.splitlines():
        header = _POS_HEADER.match(line)
        if header:
            if lines or name != POS_LOG:
                yield LogTail(name, tuple(lines[-LOG_LINES_MAX:]))
            name, lines = f"{POS_LOG}/{shown(header['name'])}", []
        else:
            lines.append(line)
    if lines or name != POS_LOG:
        yield LogTail(name, tuple(lines[-LOG_LINES_MAX:]))


def _checks(health: object, problems: list[str]) -> tuple[str | None, tuple[CheckRow, ...]]:
    if not isinstance(health, dict):
        problems.append("Tệp health.json không đúng dạng báo cáo kiểm tra: không đọc")
        return None, ()
    results = health.get("results")
    if not isinstance(results, list):
        problems.append("Tệp health.json không có danh sách kết quả kiểm tra")
        results = []
    if len(results) > CHECKS_MAX:  # said first: the problem lines of the rows read may fill the page's share
        problems.append(f"Chỉ đọc {CHECKS_MAX} kết quả kiểm tra đầu tiên trong health.json: "
                        f"…và {grouped(len(results) - CHECKS_MAX)} kết quả khác không hiện")
    rows: list[CheckRow] = []
    for number, item in enumerate(results[:CHECKS_MAX], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("status"),
                                                                                                 str):
            problems.append(f"Kết quả kiểm tra thứ {number} trong health.json không đọc được")
            continue
        remedy = item.get("remedy")
        steps = _optional_text(remedy.get("steps")) if isinstance(remedy, dict) else None
        rows.append(CheckRow(id=item["id"], title=_text(item.get("title")) or item["id"], status=item["status"],
                             summary=_text(item.get("summary")), details=_text(item.get("details")),
                             remedy_steps=steps or None))
    return _optional_text(health.get("verdict")), tuple(rows)


def _devices(value: object, problems: list[str]) -> tuple[Device, ...]:
    if not isinstance(value, list):
        problems.append("Tệp devices.json không phải danh sách thiết bị")
        return ()
    if len(value) > DEVICES_MAX:
        problems.append(f"Chỉ đọc {DEVICES_MAX} thiết bị đầu tiên trong devices.json: "
                        f"…và {grouped(len(value) - DEVICES_MAX)} thiết bị khác không hiện")
    devices = []
    for number, item in enumerate(value[:DEVICES_MAX], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("device"), str):
            problems.append(f"Thiết bị thứ {number} trong devices.json không đọc được")
            continue
        devices.append(Device(item["device"], _text(item.get("description")), _text(item.get("hwid"))))
    return tuple(devices)


@dataclass(frozen=True)
class _Manifest:
    created_at: str | None = None
    app: str | None = None
    redactions: dict[str, int] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the parts' files, to tell staff which one is missing


def _manifest(value: object, problems: list[str]) -> _Manifest:
    if not isinstance(value, dict):
        problems.append("Tệp manifest.json không đúng dạng: không biết gói gồm những phần nào")
        return _Manifest()
    totals: dict[str, int] = {}
    files: list[str] = []
    parts = value.get("parts")
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("file"), str):
            files.append(part["file"])
        redactions = part.get("redactions")
        for kind, count in (redactions.items() if isinstance(redactions, dict) else ()):
            if isinstance(kind, str) and isinstance(count, int) and not isinstance(count, bool) and count > 0:
                totals[kind] = totals.get(kind, 0) + count
    left = value.get("left_out")
    left_out = tuple(item for item in left if isinstance(item, str)) if isinstance(left, list) else ()
    return _Manifest(_optional_text(value.get("created_at")), _optional_text(value.get("app")), totals, left_out,
                     tuple(files))


def _deeper_than(value: object, depth: int) -> bool:
    """Whether JSON ``value`` nests lists and objects more than ``depth`` deep (walked a level at a time, without
    recursion)."""
    level = [value]
    for _ in range(depth + 1):
        containers = [item for item in level if isinstance(item, (list, dict))]
        if not containers:
            return False
        level = [child for container in containers
                 for child in (container.values() if isinstance(container, dict) else container)]
    return True


def _settings_text(text: str, value: object) -> str:
    """The settings for the page: indented when small and shallow, else as received, cut with a note when long.

    Indenting multiplies the text by its depth (every level adds two spaces to every line under it): 2.4 MB of
    zeros nested 200 deep became 484 MB.  Small and shallow, the indented text stays below the cap too.
    """
    if len(text) <= SETTINGS_SHOWN_MAX and not _deeper_than(value, SETTINGS_DEPTH_MAX):
        indented = json.dumps(value, ensure_ascii=False, indent=2)
        if len(indented) <= SETTINGS_SHOWN_MAX:
            return indented
    if len(text) <= SETTINGS_SHOWN_MAX:
        return text
    return (f"{text[:SETTINGS_SHOWN_MAX]}\n\n…và {grouped(len(text) - SETTINGS_SHOWN_MAX)} ký tự khác không hiện "
            f"(tệp settings.json lớn: chỉ hiện {grouped(SETTINGS_SHOWN_MAX)} ký tự đầu, như đã nhận)")


def _listed(problems: list[str]) -> tuple[str, ...]:
    """The problems for the page: the first PROBLEMS_MAX, then how many more there were."""
    if len(problems) <= PROBLEMS_MAX:
        return tuple(problems)
    return (*problems[:PROBLEMS_MAX], f"…và {grouped(len(problems) - PROBLEMS_MAX)} vấn đề khác không hiện")


def read_bundle(path: Path, attachment_id: int, filename: str) -> Bundle:
    """Everything readable in the bundle at ``path``; never raises for a bad file (see :attr:`Bundle.problems`)."""
    return _read_weighed(path, attachment_id, filename)[0]


def _read_weighed(path: Path, attachment_id: int, filename: str) -> tuple[Bundle, int]:
    """The bundle and the bytes its members inflated to, the cache's measure of it: all it holds was cut from those
    bytes, but for the indented settings (at most SETTINGS_SHOWN_MAX characters)."""
    problems: list[str] = []
    archive = opened(path, problems)
    if archive is None:
        return Bundle(attachment_id, filename, problems=tuple(problems)), 0
    with archive:
        if len(archive.infolist()) > MEMBERS_MAX:
            problems.append(f"Gói có {len(archive.infolist())} tệp (tối đa {MEMBERS_MAX}): không phải gói chẩn đoán "
                            "của ứng dụng, không đọc")
            return Bundle(attachment_id, filename, problems=tuple(problems)), 0
        reader = _Reader(archive, problems)
        return _read(reader, attachment_id, filename), TOTAL_MAX_BYTES - reader.budget


def _read(reader: _Reader, attachment_id: int, filename: str) -> Bundle:
    problems = reader.problems
    manifest = _Manifest()
    if MANIFEST in reader.members:
        value = reader.json(MANIFEST)
        if value is not None:
            manifest = _manifest(value, problems)
            for name in manifest.files:
                if name not in reader.members and not unsafe_name(name):
                    problems.append(f"Gói thiếu tệp {shown(name)} dù manifest.json có ghi")
    else:
        problems.append("Gói không có manifest.json: có thể không phải gói chẩn đoán của ứng dụng")

    verdict: str | None = None
    checks: tuple[CheckRow, ...] = ()
    if "health.json" in reader.members:
        health = reader.json("health.json")
        if health is not None:
            verdict, checks = _checks(health, problems)
    settings = None
    if "settings.json" in reader.members and (text := reader.text("settings.json", strict=True)) is not None:
        if (value := reader.parsed("settings.json", text)) is not None:
            settings = _settings_text(text, value)
    # Only what the page shows is kept: the parsed system.json (up to 5 MB of JSON, many times that as objects)
    # stayed in every cached bundle, past what the cache counts.
    till = None
    if "system.json" in reader.members and (value := reader.json("system.json")) is not None:
        if isinstance(value, dict):
            till = read_till(value, problems)
        else:
            problems.append("Tệp system.json không đúng dạng: không đọc")
    devices: tuple[Device, ...] = ()
    if "devices.json" in reader.members and (value := reader.json("devices.json")) is not None:
        devices = _devices(value, problems)

    logs = tuple(_logs(reader))
    return Bundle(attachment_id, filename, created_at=manifest.created_at, app=manifest.app, checks=checks,
                  verdict=verdict, logs=logs, settings=settings, till=till, devices=devices,
                  redactions=manifest.redactions, left_out=manifest.left_out, problems=_listed(problems))


def _logs(reader: _Reader) -> list[LogTail]:
    """app.log first, then the POS logs, then any other text part (the technician's audit.csv) in zip order; the
    first LOG_TAILS_MAX of them, the others counted."""
    names = [name for name in reader.members if name.lower().endswith(TEXT_SUFFIXES)]
    names.sort(key=lambda name: (name != "app.log", name != POS_LOG))
    tails: list[LogTail] = []
    more = 0
    for name in names:
        text = reader.text(name, strict=False)
        if text is None:
            continue
        for tail in _pos_tails(text) if name == POS_LOG else [LogTail(shown(name), _tail(text))]:
            if len(tails) < LOG_TAILS_MAX:
                tails.append(tail)
            else:
                more += 1
    if more:
        reader.problems.append(
            f"Chỉ hiện {LOG_TAILS_MAX} tệp nhật ký đầu tiên: …và {grouped(more)} tệp khác không hiện")
    return tails


# --- the remote-assistance note -----------------------------------------------------------------------------------

def read_remote_access(path: Path) -> RemoteAccess | None:
    """The tool and ID in a ``truy-cap-tu-xa.json`` note; None for anything malformed (an ID is 6–12 digits)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(NOTE_MAX_BYTES + 1)
        if len(data) > NOTE_MAX_BYTES:
            return None
        note = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(note, dict) or not isinstance(note.get("remote_id"), str):
        return None
    remote_id = re.sub(r"\s", "", note["remote_id"])
    if not REMOTE_ID.fullmatch(remote_id):
        return None
    name = _text(note.get("remote_tool_name")).strip() or _text(note.get("remote_tool")).strip()
    return RemoteAccess(shown(name), remote_id) if name else None


# --- a ticket's attachments ---------------------------------------------------------------------------------------

def _attachments(db: VendorDatabase, ticket_id: int) -> list[tuple[int, str, str]]:
    """(id, filename, client_id) of the ticket's attachments, oldest first; the session closes before any file is
    read."""
    with db.sessions() as session:
        rows = session.execute(select(Attachment.id, Attachment.filename, Attachment.client_id)
                               .where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)).all()
    return [(row_id, filename, client_id) for row_id, filename, client_id in rows]


def _stored(attachments_root: Path, ticket_id: int, client_id: str) -> Path | None:
    try:
        return attachment_path(attachments_root, ticket_id, client_id)
    except ValueError:  # not a UUID: never stored by this server
        return None


def bundles_of(db: VendorDatabase, ticket_id: int, attachments_root: Path) -> list[Bundle]:
    """Every zip attached to the ticket, read, oldest first; a zip whose file is gone is a Bundle with a problem."""
    bundles = []
    for attachment_id, filename, client_id in _attachments(db, ticket_id):
        if not filename.lower().endswith(".zip"):
            continue
        path = _stored(attachments_root, ticket_id, client_id)
        if path is None:
            bundles.append(Bundle(attachment_id, filename, problems=("Không tìm thấy tệp đính kèm trên máy chủ",)))
        else:
            bundles.append(read_cached(path, attachment_id, filename, _read_weighed))
    return bundles


def remote_access_of(db: VendorDatabase, ticket_id: int, attachments_root: Path) -> RemoteAccess | None:
    """The newest readable remote-assistance note of the ticket (the shop sends a new one when its ID changes)."""
    for _attachment_id, filename, client_id in reversed(_attachments(db, ticket_id)):
        if filename.casefold() != NOTE_FILE:
            continue
        path = _stored(attachments_root, ticket_id, client_id)
        access = None if path is None else read_remote_access(path)
        if access is not None:
            return access
    return None


# --- searching a log ----------------------------------------------------------------------------------------------

def _folded(text: str) -> str:
    # NFC first: the same Vietnamese letter may arrive precomposed or as a base letter plus combining marks.
    return unicodedata.normalize("NFC", text).casefold()


def search_lines(lines: Iterable[str], query: str) -> list[int]:
    """Indexes of the lines holding ``query``, ignoring case; diacritics count as typed ("lỗi" is not "loi")."""
    needle = _folded(query)
    if not needle:
        return []
    return [index for index, line in enumerate(lines) if needle in _folded(line)]
