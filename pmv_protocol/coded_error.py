"""One shape for the errors whose cause is a code the interface words.

A feature's error (an unlock refused, a tag the printer would spoil, a scanner
port that went away, an update that could not be staged) carries an enum
member that the UI turns into Vietnamese or English, and a detail that only
the log shows.  They all build their message, keep their fields and cross a
process boundary the same way, so that is written here once.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar, overload

CodeT = TypeVar("CodeT", bound=enum.Enum)


class CodedError(Exception, Generic[CodeT]):
    """``code`` is for the interface's words, ``detail`` for the log.

    The message is ``"<code value>: <detail>"`` (or the value alone), which is
    what the logs have always shown.  Subclasses name the code the way their
    feature speaks of it (``reason``, ``problem``, ``kind``) with a :class:`CodeAlias`, and may keep more
    fields (set after ``super().__init__``): pickle carries those too.
    """

    def __init__(self, code: CodeT, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}" if detail else str(code.value))
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[type[CodedError[CodeT]], tuple[CodeT, str], dict[str, Any]]:
        # Workers in another process (tag batches, the job process) pickle the
        # error back to the window: keep the code (and a subclass's fields), not only the text.
        return (type(self), (self.code, self.detail), self.__dict__)


class CodeAlias(Generic[CodeT]):
    """A read-only name for :attr:`CodedError.code` in its feature's words: ``kind = CodeAlias[ScannerErrorKind]()``."""

    @overload
    def __get__(self, error: None, owner: type) -> CodeAlias[CodeT]: ...

    @overload
    def __get__(self, error: CodedError[CodeT], owner: type) -> CodeT: ...

    def __get__(self, error: CodedError[CodeT] | None, owner: type) -> CodeT | CodeAlias[CodeT]:
        return self if error is None else error.code

    def __set__(self, error: CodedError[CodeT], value: CodeT) -> None:
        raise AttributeError("the code is set once, by the constructor")
