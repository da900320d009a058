"""One shape for the errors whose cause is a code the interface words.

A feature's error (an unlock refused, a tag the printer would spoil, a scanner
port that went away, an update that could not be staged) carries an enum
member that the UI turns into Vietnamese or English, and a detail that only
the log shows.  They all build their message, keep their fields and cross a
process boundary the same way, so that is written here once.
"""

from __future__ import annotations

import enum
from typing import Generic, TypeVar

CodeT = TypeVar("CodeT", bound=enum.Enum)


class CodedError(Exception, Generic[CodeT]):
    """``code`` is for the interface's words, ``detail`` for the log.

    The message is ``"<code value>: <detail>"`` (or the value alone), which is
    what the logs have always shown.  Subclasses name the code the way their
    feature speaks of it (``reason``, ``problem``, ``kind``).
    """

    def __init__(self, code: CodeT, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}" if detail else str(code.value))
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[type[CodedError[CodeT]], tuple[CodeT, str]]:
        # Workers in another process (tag batches, the job process) pickle the
        # error back to the window: keep the code, not only the text.
        return (type(self), (self.code, self.detail))
