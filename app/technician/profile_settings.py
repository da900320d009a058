"""Reading a settings file as bytes, without applying it: who the shop is, where its data lives, its secrets.

A profile carries the settings file itself, not a re-serialised copy, so the
new PC gets the technician's comments and layout back.  These helpers read
the raw TOML: :func:`app.infra.settings.load_settings` takes a path, resolves
relative paths against it and drops invalid keys, while a profile needs the
file exactly as written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import tomli_w
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.support.redaction import MASK, RedactionKind, redact_mapping
from app.technician.profile import ProfileError, ProfileProblem

# Settings keys holding folders or files: the plan reports which are missing on the new PC.
POS_URL_KEY = "pos.url"  # an SQLAlchemy URL (SQL Server in the field): may hold the POS password
PATH_KEYS = ("data_dir", "pos.database", "pos.backups_dir", "pos.logs_dir", "pos.install_dir",
             "updates.pos_rules_dir")

# Redaction kinds that are credentials; the others (phones, e-mails, CCCD) are
# the shop's own contact details, which belong in its profile.
_SECRET_KINDS = frozenset({
    RedactionKind.URL_CREDENTIAL, RedactionKind.SECRET_PARAM, RedactionKind.AUTH_HEADER,
    RedactionKind.SHOP_TOKEN, RedactionKind.SECRET_FIELD,
})


def parse_settings(raw: bytes) -> dict[str, Any]:
    """The TOML table of a settings file; refuses what :func:`load_settings` would ignore as a whole."""
    try:
        # utf-8-sig as load_settings reads it: Notepad adds a BOM.
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(ProfileProblem.SETTINGS_UNREADABLE, str(exc)) from None


def _lookup(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def shop_identity(data: dict[str, Any]) -> tuple[str, str]:
    """``(shop_id, name)`` as written; '' for what is missing or not text."""
    shop_id, name = _lookup(data, "shop.shop_id"), _lookup(data, "shop.name")
    return (shop_id if isinstance(shop_id, str) else "", name if isinstance(name, str) else "")


def declared_paths(data: dict[str, Any], settings_file: Path) -> dict[str, Path]:
    """The path settings, resolved as the app will resolve them from ``settings_file``.

    Absolute paths are kept as the shop wrote them; relative ones are relative
    to the settings file, as in :func:`app.infra.settings.load_settings`.
    """
    found: dict[str, Path] = {}
    for key in PATH_KEYS:
        value = _lookup(data, key)
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            path = Path(value).expanduser()
            found[key] = path if path.is_absolute() else (Path(settings_file).parent / path).resolve()
        except (RuntimeError, OSError, ValueError):
            continue  # load_settings reports it as a bad path; nothing to check here
    return found


@dataclass(frozen=True)
class StrippedSettings:
    """A settings file with its secrets replaced by ``***``; ``data`` is the input itself when it had none."""

    data: bytes
    keys: tuple[str, ...]  # dotted keys whose value changed ("pos.url", "devices.printers[0].host")


def strip_secrets(raw: bytes) -> StrippedSettings:
    """Replace credentials in every value (URL passwords, secret parameters, secret-named keys).

    A file without secrets comes back byte for byte.  A file with secrets is
    re-serialised from its parsed values: editing TOML text in place cannot be
    proved not to leave a password behind (in a comment, in an escaped
    string), and the original bytes travel sealed in secrets.enc when the
    technician includes secrets.
    """
    data = parse_settings(raw)
    changed: list[str] = []
    stripped = _walk(data, "", "", changed)
    if not changed:
        return StrippedSettings(raw, ())
    return StrippedSettings(tomli_w.dumps(stripped).encode("utf-8"), tuple(changed))


def _walk(value: Any, name: str, where: str, changed: list[str]) -> Any:
    if isinstance(value, dict):
        return {key: _walk(item, key, f"{where}.{key}" if where else key, changed) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, name, f"{where}[{index}]", changed) for index, item in enumerate(value)]
    clean = _strip_value(name, value)
    if where == POS_URL_KEY and isinstance(clean, str):
        clean = _strip_sqlalchemy_url(clean)
    if clean is not value:
        changed.append(where)
    return clean


def _strip_value(name: str, value: Any) -> Any:
    # The diagnostics bundle's redaction rules, so the two agree on what a secret is.
    redacted, counts = redact_mapping({name: value})
    kinds = set(counts)
    if not kinds & _SECRET_KINDS:
        return value
    if kinds <= _SECRET_KINDS:
        return redacted[name]
    return MASK  # a credential mixed with personal data in one value: hide all of it rather than guess


def _strip_sqlalchemy_url(url: str) -> str:
    """pos.url's secrets as SQLAlchemy, which opens it, reads them.

    The generic URL rule stops at '#', '/' and '?' (a browser's reading);
    SQLAlchemy takes them as part of the password, so "sa:Kh0!#2026@host" has
    one.  And an ODBC connection string in the query (``odbc_connect=...%3BPWD%3D...``)
    is percent-encoded, so its PWD is only visible once decoded.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url
    password = parsed.password
    if password and password != MASK:
        for written in (password, quote_plus(password), quote(password, safe="")):
            if f":{written}@" in url:
                url = url.replace(f":{written}@", f":{MASK}@", 1)
                break
        else:
            return MASK  # written some other way: hide the whole URL rather than leave the password
    query = {key: value if isinstance(value, tuple) else (value,) for key, value in parsed.query.items()}
    clean = {key: tuple(_strip_value(key, item) for item in values) for key, values in query.items()}
    if clean == query:
        return url
    # Re-rendering re-encodes the whole URL; only done when the query really held a secret.
    flat = {key: values[0] if len(values) == 1 else values for key, values in clean.items()}
    return make_url(url).set(query=flat).render_as_string(hide_password=False)
