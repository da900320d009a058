"""What the shop client (``app``) and the vendor server (``vendor_server``) agree on.

The wire vocabulary and schemas, signed documents (strict parsing, verification),
the contract and coverage rules, the working calendar, the SLA and the shop's
time zone, and the atomic write and file lock both sides use.  It imports
neither side (import-linter contracts in pyproject.toml), so each side depends
on it and never on the other; the vendor's private signing code lives in
``vendor_server`` only.
"""

HOTLINE = "1900 6037"  # the vendor's 24/7 line, written as Vietnamese numbers are; both sides say it
