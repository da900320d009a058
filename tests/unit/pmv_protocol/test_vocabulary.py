"""The wire's words are plain enums that load no validation framework, and still the wire's own."""

from __future__ import annotations

from pmv_protocol import vocabulary, wire
from tests.helpers import DATA_LAYER, modules_loaded


def test_naming_a_status_loads_no_pydantic() -> None:
    """What only names a request's status (the overview's support tile, issue 24) must not pay for pydantic."""
    loaded = modules_loaded("import pmv_protocol.vocabulary, app.support.status", (*DATA_LAYER, "pmv_protocol.wire"))
    assert loaded == []


def test_the_wire_speaks_the_vocabulary_itself() -> None:
    """One definition for both sides: the messages' enums are the vocabulary's classes, not copies."""
    for name in ("Category", "Severity", "Channel", "SolutionKind", "TicketStatus"):
        assert getattr(wire, name) is getattr(vocabulary, name)
    assert wire.NewTicket.model_fields["category"].annotation is vocabulary.Category
