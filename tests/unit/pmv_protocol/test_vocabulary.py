"""The wire's words are plain enums that load no validation framework, and still the wire's own."""

from __future__ import annotations

import subprocess
import sys

from pmv_protocol import vocabulary, wire


def test_naming_a_status_loads_no_pydantic() -> None:
    """What only names a request's status (the overview's support tile, issue 24) must not pay for pydantic."""
    code = (
        "import sys, pmv_protocol.vocabulary, app.support.status\n"
        "print(sorted(m for m in ('pydantic', 'sqlalchemy', 'pmv_protocol.wire') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_wire_speaks_the_vocabulary_itself() -> None:
    """One definition for both sides: the messages' enums are the vocabulary's classes, not copies."""
    for name in ("Category", "Severity", "Channel", "SolutionKind", "TicketStatus"):
        assert getattr(wire, name) is getattr(vocabulary, name)
    assert wire.NewTicket.model_fields["category"].annotation is vocabulary.Category
