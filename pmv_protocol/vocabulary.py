"""The vendor API's words: what a request is about, how bad, how help comes, where the vendor has it.

Plain enums, apart from :mod:`pmv_protocol.wire`'s pydantic messages, so that
what only names a status (the window's overview at start-up, issue 24) does not
load a validation framework.  The values are the wire's: renaming one breaks
every shop already installed, so they change only by adding.
"""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    """What a support request is about (DESIGN.md, "Request categories")."""

    INCIDENT = "incident"  # sự cố
    HOW_TO = "how_to"  # hướng dẫn sử dụng
    REGULATION_UPDATE = "regulation_update"  # cập nhật quy định
    REINSTALL = "reinstall"  # cài lại phần mềm
    BARCODE_DEVICE = "barcode_device"  # thiết bị mã vạch


class Severity(enum.StrEnum):
    """How badly the shop is hit; with its coverage it sets the response deadline (:mod:`pmv_protocol.sla`)."""

    CRITICAL = "critical"  # cannot trade
    HIGH = "high"
    NORMAL = "normal"


class Channel(enum.StrEnum):
    """How help reaches the shop: the channel a cashier prefers, and the kind of solution the vendor proposes."""

    PHONE = "phone"
    EMAIL = "email"
    REMOTE = "remote"
    ON_SITE = "on_site"


# DESIGN.md: "A proposed solution is one of: guided by phone, email, remote
# session, or on-site visit": the channels themselves, so one enum, two names.
SolutionKind = Channel


class TicketStatus(enum.StrEnum):
    """Where the vendor has a ticket: the ``status`` of its answers and of the ``updated_since`` feed."""

    RECEIVED = "received"  # đã tiếp nhận
    IN_PROGRESS = "in_progress"  # đang xử lý
    SOLUTION_PROPOSED = "solution_proposed"  # đã đề xuất phương án
    ON_SITE_SCHEDULED = "on_site_scheduled"  # đã hẹn đến tận nơi
    RESOLVED = "resolved"  # đã giải quyết
    CLOSED = "closed"  # đã đóng
