"""The remote-assistance note: how the shop tells the vendor which tool and ID to connect to.

The shop's app attaches it to a support request (Truy cập từ xa); the staff
console finds it among the ticket's attachments and shows the ID.  Both sides
read this one definition, so a renamed file or key cannot leave the console
blind to the notes shops send.
"""

from __future__ import annotations

import json
import re

NOTE_FILE = "truy-cap-tu-xa.json"  # the attachment's name: "remote access" in Vietnamese
# An ID as the tools show it, its spaces taken out: what the app accepts from the cashier and the console trusts.
REMOTE_ID = re.compile(r"[0-9]{6,12}")


def note_json(tool: str, tool_name: str, remote_id: str) -> str:
    """The note's text: the tool's code, its display name and the ID (digits only)."""
    return json.dumps({"remote_tool": tool, "remote_tool_name": tool_name, "remote_id": remote_id},
                      ensure_ascii=False)
