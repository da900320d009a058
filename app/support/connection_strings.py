"""The secret values of ODBC and ADO.NET connection strings in a log line, for :mod:`app.support.redaction`.

A POS logs its connection string when it cannot open its database ("DRIVER={SQL Server};SERVER=.;UID=sa;
PWD=…;"), quoted in a JSON or repr string, or inside an ``odbc_connect=`` query; the password in it must not
leave the shop, and nothing else in the line may be taken for one.
"""

from __future__ import annotations

import re

from app.support.secret_names import already_masked, is_secret_name

# ODBC / ADO.NET connection strings: "DRIVER={...};SERVER=...;UID=sa;PWD=...;".
# A value runs to the next ';' (spaces, '#', ',' included) or, in braces, to
# the closing '}' ('}}' is a literal '}').  A lone "name=value;" is not one:
# it takes two pairs in a row, so "password=x từ máy A; ca sáng" stays a log line.
_CONN_NAME_ANYWHERE = re.compile(r"(?:^|(?<=[\s;:\"'({\[,]))(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*")
_CONN_NAME_LEADING = re.compile(
    r"[ \t]*(?P<name>[A-Za-z][A-Za-z0-9_.:\-]*(?:[ \t]+[A-Za-z][A-Za-z0-9_.:\-]*){0,3})[ \t]*=[ \t]*"
)
# What closes a wrapped value: braces (ODBC) or quotes (SqlClient).
_CLOSERS = {"{": "}", '"': '"', "'": "'"}
# The closing quote of a JSON or repr string around a connection string in a log line.
_CLOSING_QUOTE = re.compile(r"[\"'](?=[ \t]*(?:[,:}\])]|$))")


def connection_secrets(line: str) -> list[tuple[int, int]]:
    """Spans of the secret values in the ODBC/ADO.NET connection strings of one line."""
    if ";" not in line or "=" not in line:
        return []
    segments = _segments(line)
    spans: list[tuple[int, int]] = []
    k = 0
    while k < len(segments):
        start, end = segments[k]
        first = next(
            (m for m in _CONN_NAME_ANYWHERE.finditer(line, start, end) if _is_conn_secret(m.group("name"))), None
        )
        if first is None and _CONN_NAME_ANYWHERE.search(line, start, end) is None:
            k += 1
            continue
        run = [first]
        j = k + 1
        while j < len(segments) and (m := _CONN_NAME_LEADING.match(line, *segments[j])) is not None:
            run.append(m if _is_conn_secret(m.group("name")) else None)
            j += 1
        if len(run) >= 2:  # a pair alone is a log line's "name=value;", not a connection string
            for m, (_, segment_end) in zip(run, segments[k:j], strict=True):
                if m is not None and (span := _conn_value(line, m.end(), segment_end)) is not None:
                    spans.append(span)
        k = j
    return spans


def _is_conn_secret(name: str) -> bool:
    return is_secret_name(re.sub(r"[\s:]+", "_", name))


def _segments(line: str) -> list[tuple[int, int]]:
    """The ';'-separated parts of a line; a ';' inside a wrapped value ("={a;b}", '="a;b"') does not separate."""
    segments: list[tuple[int, int]] = []
    start = i = 0
    unclosed: set[str] = set()  # see _wrapped_value_end
    while i < len(line):
        if line[i] == ";":
            segments.append((start, i))
            start = i + 1
        elif line[i] == "=" and (end := _wrapped_value_end(line, start, i, unclosed)) is not None:
            i = end
            continue
        i += 1
    segments.append((start, len(line)))
    return segments


def _wrapped_value_end(line: str, segment_start: int, equals: int, unclosed: set[str]) -> int | None:
    """Just past the value after the '=' at ``equals`` if it is one wrapped value; else None.

    ODBC wraps a value in braces, SqlClient (whose rules app.shop.pos_url
    follows) in double or single quotes; either way the value then holds ';'.
    But a quoted value holding name=value pairs of its own is a connection
    string quoted in a log line (ConnectionString="Server=...;Password=...")
    and is read pair by pair, unless it is a password's: a password may hold
    anything ("Kim;a=b").  An unclosed quote after a password's name leaves the
    rest of the line to the password.  ``unclosed`` collects the openers left
    open: no later one of that kind is looked for, so a line is scanned once.
    """
    value = equals + 1
    while line[value : value + 1] in (" ", "\t"):
        value += 1
    opener = line[value : value + 1]
    if opener not in _CLOSERS or opener in unclosed:
        return None
    close = _wrapped_end(line, value)
    password = opener != "{" and _is_conn_secret(_name_before(line, segment_start, equals))
    if close is None:
        if password:
            return len(line)
        unclosed.add(opener)
        return None
    if opener == "{" or password or _CONN_NAME_ANYWHERE.search(line, value + 1, close - 1) is None:
        return close
    return None


def _name_before(line: str, segment_start: int, equals: int) -> str:
    """The last word before the '=' at ``equals`` ("PWD", "Password" of "User Password")."""
    end = equals
    while end > segment_start and line[end - 1] in " \t":
        end -= 1
    start = end
    while start > segment_start and (line[start - 1].isalnum() or line[start - 1] in "_.-"):
        start -= 1
    return line[start:end]


def _wrapped_end(line: str, start: int) -> int | None:
    """Just past the closer of the brace or quote at ``start`` (doubled, it is a literal); None if not closed."""
    closer = _CLOSERS.get(line[start : start + 1])
    if closer is None:
        return None
    i = start + 1
    while i < len(line):
        if line[i] == closer:
            if line[i + 1 : i + 2] != closer:
                return i + 1
            i += 1
        i += 1
    return None


def _conn_value(line: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the value starting at ``start`` in a segment ending at ``end``; None if empty or masked.

    A wrapped value ({...}, "...", '...') is hidden with what wraps it.
    """
    close = _wrapped_end(line, start)
    if close is None or close > end:
        quote = _CLOSING_QUOTE.search(line, start, end)
        close = quote.start() if quote is not None else end
    value = line[start:close]
    if not value.strip() or already_masked(value):
        return None
    return start, close
