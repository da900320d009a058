"""What a shop tells the vendor about itself, declared once for both sides: heartbeats and update events.

DESIGN.md, "The vendor API (v1)", Fleet::

    POST /api/v1/heartbeat   Heartbeat   -> HeartbeatReceipt   (200; the same ``id`` again: 200, nothing new)
    POST /api/v1/events      EventBatch  -> EventsReceipt      (200; an event id already stored is not stored again)

Both carry the shop's token like every other call.  The shop sends them through its own outbox
(:mod:`app.fleet`): only the newest heartbeat waits (a heartbeat is a state, not a history), while events are
each kept until the server has them (each is a fact the release's health is counted from).

The heartbeat holds codes and numbers only, never free text from logs: a check's id, its status, and a few
named metrics.  When the contract says ``telemetry: false`` (or the shop's settings do), the heartbeat holds
the app version and nothing else (:meth:`Heartbeat.app_version_only`); the server refuses anything more from
such a report, so a wrong client cannot leak what the shop refused to share.

Like :mod:`pmv_protocol.wire`, the server is strict (unknown fields are refused) and the values change only
by adding.
"""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pmv_protocol.wire import ServerTime, ShopTime

HEARTBEAT_PATH = "/api/v1/heartbeat"
EVENTS_PATH = "/api/v1/events"

# Bounds: a heartbeat is a few hundred bytes; these keep a broken or hostile client from sending megabytes.
MAX_BODY_BYTES = 32_768  # either body, as sent (the server refuses a larger one with 413 before parsing)
MAX_CHECKS = 64
MAX_METRICS = 12
MAX_PACKS = 32
MAX_EVENTS = 50  # per batch; the shop sends more in several batches

HEARTBEAT_PERIOD_MINUTES = 15  # the shop's default period; the server's freshness window counts in hours

# A code: lower-case letters, digits, and . _ - (check ids, pack ids, metric names, reasons).
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
Version = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}$")]
Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


class Verdict(enum.StrEnum):
    """The shop's health verdict: the worst status among its checks (app/health/model.py)."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"


class CheckStatus(enum.StrEnum):
    """One check's status, as the shop's checks report it (app/health/model.py ``Status``)."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


# A metric's value: a number or a yes/no, never text (no free text leaves the shop in a heartbeat).
MetricValue = float | int | bool | None


class CheckReport(BaseModel):
    """One check as the shop's last run left it: ``since`` is when it first had this status (shop clock)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Code
    status: CheckStatus
    since: ShopTime | None = None
    metrics: dict[Code, MetricValue] = Field(default_factory=dict, max_length=MAX_METRICS)


class PackReport(BaseModel):
    """A regulation or calendar pack installed at the shop, with its version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Code
    version: Version


class Heartbeat(BaseModel):
    """The body of ``POST /api/v1/heartbeat``: the shop's state now.

    ``id`` is the report's UUID (a retried POST of the same report changes nothing); ``sent_at`` is when the
    shop made it, by its own clock (the server keeps its own receipt time as the last contact).
    ``telemetry`` False: only ``app_version`` may be filled.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Uuid
    made_at: ShopTime
    app_version: Version
    telemetry: bool = True
    verdict: Verdict | None = None
    checks: list[CheckReport] = Field(default_factory=list, max_length=MAX_CHECKS)
    packs: list[PackReport] = Field(default_factory=list, max_length=MAX_PACKS)
    last_backup_age_hours: Annotated[float, Field(ge=0)] | None = None
    pos_version: Version | None = None
    outbox_depth: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _telemetry_off_sends_nothing_else(self) -> Heartbeat:
        if not self.telemetry and (self.verdict is not None or self.checks or self.packs
                                   or self.last_backup_age_hours is not None or self.pos_version is not None
                                   or self.outbox_depth is not None):
            raise ValueError("telemetry is off: a heartbeat may carry the app version only")
        return self

    def app_version_only(self) -> Heartbeat:
        """This report as a shop with telemetry off sends it."""
        return Heartbeat(id=self.id, made_at=self.made_at, app_version=self.app_version, telemetry=False)


class HeartbeatReceipt(BaseModel):
    """The answer: ``received_at`` the server's clock; ``duplicate`` when this ``id`` was already received."""

    model_config = ConfigDict(frozen=True)

    received_at: ServerTime
    duplicate: bool = False


class UpdateEventKind(enum.StrEnum):
    """What happened to one update at the shop (Omaha's event pings, in this project's words)."""

    DOWNLOADED = "downloaded"  # fetched and verified against the signed metadata
    INSTALLED = "installed"  # a pack switched to, or the app build started as the running version
    ROLLED_BACK = "rolled_back"  # back to the previous version; ``reason`` says why
    REFUSED = "refused"  # a security refusal, ``reason`` the TUF error kind (app/updates/targets.py); or "unreadable":
    # a signed pack this app version's reader does not accept
    HELD_BACK = "held_back"  # offered, but this install's rollout bucket is outside the percentage


class TargetKind(enum.StrEnum):
    """What an update is (the ``kind`` of a TUF target's custom data)."""

    APP = "app"
    PACK = "pack"
    CALENDAR = "calendar"
    METADATA = "metadata"  # the signed metadata itself, refused before any target (target_id "metadata";
    # version: the refused role's version as the shop last trusted it, or "0")


class UpdateSource(enum.StrEnum):
    ONLINE = "online"  # the vendor's update server
    USB = "usb"  # an offline copy (``pmv-support updates import``)


class UpdateEvent(BaseModel):
    """One update event; ``id`` is its UUID, so a batch sent twice stores each event once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Uuid
    at: ShopTime
    kind: UpdateEventKind
    target_kind: TargetKind
    target_id: Code  # the pack's id, or "app" for an app build
    version: Version  # the version the event is about
    from_version: Version | None = None  # what the shop ran before (installed, rolled back)
    reason: Code | None = None  # rolled_back / refused: a code, never free text
    bucket: Annotated[int, Field(ge=0, le=99)] | None = None  # held_back: this install's rollout bucket
    source: UpdateSource = UpdateSource.ONLINE


class EventBatch(BaseModel):
    """The body of ``POST /api/v1/events``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: list[UpdateEvent] = Field(min_length=1, max_length=MAX_EVENTS)


class EventsReceipt(BaseModel):
    """The answer: how many of the batch's events were new, and how many the server already had."""

    model_config = ConfigDict(frozen=True)

    stored: int
    duplicates: int
