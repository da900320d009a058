"""The vendor API's words and messages, declared once for both sides (DESIGN.md, "The vendor API (v1)").

The shop client (:mod:`app.support.vendor_api`) writes the ticket body and
reads the server's answers with these types; the vendor server
(:mod:`vendor_server.routes`) reads the body and writes its answers with the
same ones.  A value one side sends is then, by construction, a value the
other side knows.  The values are the wire's: renaming one breaks every shop
already installed, so they change only by adding.

Two rules let old and new versions keep talking:

* the server is strict about what it accepts: :class:`NewTicket` refuses
  unknown fields and values, so a typo comes back as a 422 with the reason
  instead of a ticket with a hole in it;
* the client is lenient about what it reads: a status or solution kind it
  does not know yet stays text (a later server may add statuses, and the app
  skips those), extra members are ignored, and a time without an offset is
  read as UTC (the server writes UTC).

The request body is a pydantic model (the app serializes it, the server
validates it).  The answers are pydantic dataclasses: the app keeps them as
plain frozen values, built positionally like its other records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints
from pydantic.dataclasses import dataclass

# The vocabulary lives apart, as plain enums, so that naming a status loads no pydantic (issue 24); the messages
# below use it and both sides keep importing it from here.
from pmv_protocol.vocabulary import Category as Category
from pmv_protocol.vocabulary import Channel as Channel
from pmv_protocol.vocabulary import Severity as Severity
from pmv_protocol.vocabulary import SolutionKind as SolutionKind
from pmv_protocol.vocabulary import TicketStatus as TicketStatus

# The longest text the server accepts per field; its tables are sized to match.
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
CONTACT_NAME_MAX = 100
CONTACT_PHONE_MAX = 20
APP_VERSION_MAX = 40

# The multipart form of ``POST /api/v1/tickets/{id}/attachments``: one file and two small fields.
FILE_FIELD = "file"
CLIENT_ID_FIELD = "client_id"  # the client's UUID for the file: a replay stores nothing twice
SHA256_FIELD = "sha256"  # hex SHA-256 of the file, checked against the bytes received


def canonical_uuid(text: str | None) -> str | None:
    """The lowercase hyphenated form of a UUID, or None if ``text`` is not one.

    The client's ids on the wire (the ``Idempotency-Key`` header, an
    attachment's ``client_id``) are UUIDs in any spelling.  One canonical form
    means "ABC…" and "abc…" cannot become two tickets, and the result is safe
    as a file name (hex digits and hyphens only).
    """
    if not text:
        return None
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


# --- how values travel -----------------------------------------------------------


def _as_written(moment: dt.datetime) -> str:
    return moment.isoformat()


def _in_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _fixed_offset(moment: dt.datetime) -> dt.datetime:
    """The same moment with the standard library's ``timezone`` (pydantic reads offsets into its own class)."""
    offset = moment.utcoffset()
    return moment if offset is None else moment.replace(tzinfo=dt.timezone(offset))


def _assume_utc(moment: dt.datetime) -> dt.datetime:
    return _fixed_offset(moment) if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


SHOP_YEARS = (1970, 9000)  # any till's clock, a flat CMOS battery's 1980 included; year 1 or 9999 is no clock


def _storable(moment: dt.datetime) -> dt.datetime:
    """Refuse a moment no till's clock gives: year 1 or 9999 with an offset cannot even be turned into UTC, and
    made the server answer 500 to a batch the shop then sent again forever."""
    try:
        year = moment.astimezone(dt.UTC).year
    except OverflowError:
        year = moment.year
    if not SHOP_YEARS[0] <= year <= SHOP_YEARS[1]:
        raise ValueError(f"a time between the years {SHOP_YEARS[0]} and {SHOP_YEARS[1]} is expected")
    return moment


# A moment the shop stamps: an offset is required (which zone would a naive
# time be in?), and it travels in the offset the shop wrote it in.
ShopTime = Annotated[AwareDatetime, AfterValidator(_fixed_offset), AfterValidator(_storable),
                     PlainSerializer(_as_written, return_type=str, when_used="json")]

# A moment the server stamps: written in UTC ("+00:00"); read as UTC when a
# server leaves the offset out.
ServerTime = Annotated[dt.datetime, AfterValidator(_assume_utc),
                       PlainSerializer(_in_utc, return_type=str, when_used="json")]

# Read as the enum's member when known, else kept as the text sent: an app
# must not refuse a whole feed because a later server added a status.
OpenTicketStatus = Annotated[TicketStatus | str, Field(union_mode="left_to_right")]
OpenSolutionKind = Annotated[SolutionKind | str, Field(union_mode="left_to_right")]


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# --- the messages ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RequestWords:
    """A request's own words and choices, declared once for both sides: the shop's draft, validated and
    stored request (``app.support.models``) and the vendor's ticket record (``vendor_server.records``)."""

    category: Category
    severity: Severity
    title: str
    description: str
    contact_name: str
    contact_phone: str
    channel: Channel


class NewTicket(BaseModel):
    """The body of ``POST /api/v1/tickets`` (sent with ``Idempotency-Key: <the request's UUID>``).

    Unknown fields are refused so typos surface.  Text is stripped and
    bounded, except the description: pasted logs keep their indentation.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    severity: Severity
    title: Annotated[str, _text(1, TITLE_MAX)]
    description: Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)]
    contact_name: Annotated[str, _text(1, CONTACT_NAME_MAX)]
    contact_phone: Annotated[str, _text(1, CONTACT_PHONE_MAX)]
    channel: Channel
    opened_at: ShopTime
    app_version: Annotated[str, _text(0, APP_VERSION_MAX)] | None = None


@dataclass(frozen=True)
class TicketReceipt:
    """The answer to ``POST /api/v1/tickets``: 201 and ``created`` for a new ticket, 200 for a replayed key.

    ``response_due_at`` is the vendor's deadline (None: the shop is not
    covered, best effort); the shop shows it in place of its own estimate.
    """

    id: int
    number: str  # YC-<year>-<id>, what the shop and the vendor's staff say on the phone
    status: OpenTicketStatus
    response_due_at: ServerTime | None
    created: bool


@dataclass(frozen=True)
class AttachmentReceipt:
    """The answer to ``POST /api/v1/tickets/{id}/attachments``: 201 stored now, 200 already stored."""

    id: int
    client_id: str
    filename: str  # as the vendor's staff see it: sanitized, display only
    size: int
    sha256: str
    created: bool
