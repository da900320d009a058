"""Where a support request is, as a plain enum: what the overview's tile reads at start-up without loading the
vendor API's pydantic messages (issue 24).  :mod:`app.support.models` re-exports it."""

from __future__ import annotations

import enum

from pmv_protocol.vocabulary import TicketStatus


class RequestStatus(enum.StrEnum):
    """Where a request is: the shop's own two states, then the vendor's (:class:`TicketStatus`, same values)."""

    PENDING = "pending"  # chờ gửi: saved here, not yet accepted by the server
    SENT = "sent"  # đã gửi: the server has it, with a status this version does not know
    RECEIVED = TicketStatus.RECEIVED.value  # đã tiếp nhận
    IN_PROGRESS = TicketStatus.IN_PROGRESS.value  # đang xử lý
    SOLUTION_PROPOSED = TicketStatus.SOLUTION_PROPOSED.value  # đã đề xuất phương án
    ON_SITE_SCHEDULED = TicketStatus.ON_SITE_SCHEDULED.value  # đã hẹn đến tận nơi
    RESOLVED = TicketStatus.RESOLVED.value  # đã giải quyết
    CLOSED = TicketStatus.CLOSED.value  # đã đóng

    @property
    def is_open(self) -> bool:
        return self not in (RequestStatus.RESOLVED, RequestStatus.CLOSED)

    @property
    def awaits_proposal(self) -> bool:
        """The response deadline is for a proposed solution: once one is proposed (or a visit booked) it is kept."""
        return self in (RequestStatus.PENDING, RequestStatus.SENT, RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)
