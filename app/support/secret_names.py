"""What a secret's name looks like, for the redaction of what leaves the shop (:mod:`app.support.redaction`):
the names of secret parameters in URLs, ``name=value`` pairs, connection strings and settings, and the mark a
hidden value is replaced by.
"""

from __future__ import annotations

import re

MASK = "***"

# A secret-looking parameter name: exactly one of these...
SECRET_NAMES_EXACT = frozenset({"pass", "pwd", "key", "auth", "sig", "signature", "pin"})
# ...or containing one of these (lower-cased, "-", "." and blanks read as "_")...
SECRET_NAMES_PART = (
    "password", "passwd", "passphrase", "secret", "token", "api_key", "apikey",
    "access_key", "private", "credential", "matkhau", "mat_khau", "mậtkhẩu", "mật_khẩu",
)  # fmt: skip
# ...or ending with one of these ("shop_key", "x_auth", "db_pwd").
SECRET_NAMES_SUFFIX = ("_key", "_pass", "_pwd", "_auth", "_pin")
# In the loose forms ("name: value", "name = value") a bare one of these is a log's word ("Key: F5 pressed",
# "Signature: valid", "Token: expired"), not a secret's name; "api_key: x" or "access_token: x" still are.
LOOSE_AMBIGUOUS = SECRET_NAMES_EXACT | {"token"}
# Written loose, these are hidden to the end of the line: a password may hold spaces.
PASSWORD_NAMES = ("password", "passwd", "passphrase", "matkhau", "mat_khau", "mậtkhẩu", "mật_khẩu")


def name_key(name: str) -> str:
    """A parameter's name as the secret-name tables spell it: lower case, "-", "." and blanks read as "_"."""
    return re.sub(r"[\s.\-]+", "_", name.lower())


def is_secret_name(name: str) -> bool:
    key = name_key(name)
    return (
        key in SECRET_NAMES_EXACT
        or any(part in key for part in SECRET_NAMES_PART)
        or key.endswith(SECRET_NAMES_SUFFIX)
    )


def already_masked(value: str) -> bool:
    return MASK in value
