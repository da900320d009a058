"""What Unikey / EVKey make of a barcode scanner's keystrokes.

A keyboard-wedge scanner "types" the code.  When the shop left its Vietnamese
input method on, the keystrokes go through the same engine as a cashier's
typing: ``DD1234AA`` arrives as ``Đ1234Â``, ``PMV-TEST-39`` as ``PMV-TÉT-39``.
This module replays that engine so the diagnosis can recognise the damage.

The model is UniKey's input engine (``ukengine``, open source since x-unikey and
still the core of ibus-/fcitx5-unikey; EVKey derives from it) with free marking
on, macros off (an empty macro table changes nothing) and old tone placement.
Spell check is *on* by default: in the engine's own defaults
(``CreateDefaultUnikeyOptions``: spellCheckEnabled=1, autoNonVnRestore=0) and
in fcitx5-unikey's settings (SpellCheck and AutoNonVnRestore both true in
src/unikey-config.h).  What UniKey/EVKey for Windows ship is not asserted here:
every setting that changes a scan is a parameter (:class:`Options`) and the
diagnosis tries each meaningful combination (:data:`CONFIGURATIONS`).  The
functions' own defaults (spell check off) are just the plainest engine.
The Telex output is checked against fcitx5-unikey's test table
(tests/unit/devices/test_ime_fcitx5.py).

How the engine works (and why a scanner trips it):

* It keeps the current syllable as cells (initial consonant cluster, vowel
  sequence, final consonant) and only accepts a modifier when the result is a
  real Vietnamese syllable shape (tables ``_VSEQ``, ``_CLUSTERS``, ``_FINALS``).
* Modifier keys -- Telex: ``aa ee oo`` (circumflex), ``w`` (breve/horn, and
  ``ư`` on its own), ``dd`` (đ), ``s f r x j`` (tones), ``z`` (no tone),
  ``[ ] { }`` (ơ ư Ơ Ư); VNI: ``6`` circumflex, ``7`` horn, ``8`` breve,
  ``9`` đ, ``1``-``5`` tones, ``0`` no tone -- may act on any vowel of the
  syllable, not just the previous key ("free marking").  Pressing the same
  modifier again undoes it and types the key (``ass`` -> ``as``).
* Letters that cannot continue the syllable start a new one (spell check off),
  so ``PMVAA`` still gives ``PMVÂ``.  Digits are *not* word breaks for UniKey:
  they are kept as foreign characters and the next letter starts afresh.
  Punctuation and space end the word; Enter, Tab and other control keys reset.
  In VNI a digit only acts when the syllable can take it, else it is a digit,
  so EAN-13 strings pass untouched while ``A6B`` becomes ``ÂB``.
* Tone placement (``_tone_position``): on the vowel carrying ^ or horn/breve
  (``ươ`` on the ơ); else the middle of three vowels; else for two vowels the
  first when the syllable ends there (``hòa``, ``thúy``) and the second before
  a final consonant (``hoàn``).  UniKey's default is this *old* style; its
  option "Đặt dấu oà, uý" (``modern=True``) puts oa/oe/uy tones on the second
  vowel (``hoà``, ``thuý``).
* Case is the key's own: ``Aa`` -> ``Â``, ``aA`` -> ``â``; output is NFC.

* ``spell_check=True``: letters after a foreign character are left alone
  unless the word began with ``dd`` (UniKey's "single mode").
* ``auto_restore=True`` ("Tự động khôi phục phím với từ sai", needs spell
  check): at a word-break key a word that is not Vietnamese and carries a mark
  is replaced by the keys typed, so ``XAAB-`` stays ``XAAB-`` and ``AA12 ``
  stays ``AA12 ``, while ``DD-`` still gives ``Đ-`` (a lone consonant is a
  valid word).  The last word of a code, before Enter, is restored only where
  the front end ends the word there (``restore_at_enter``; fcitx5-unikey does).

Not modelled: macros, VIQR / MS-Vietnamese methods, the 128-cell buffer
trimming in very long words, the manual restore keys (Shift+Space, both Shifts).
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass


class Mode(enum.StrEnum):
    """The two typing methods shops actually use."""

    TELEX = "telex"
    VNI = "vni"


# --------------------------------------------------------------------------
# Syllable tables (Vietnamese orthography, as UniKey encodes it)
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _VowelSeq:
    complete: bool  # a syllable may end here (UniKey's spell check uses it)
    final_ok: bool  # may take a final consonant
    roof: int  # index of the vowel wearing ^ (-1: none)
    to_roof: str | None  # the sequence after adding ^ (None: not possible)
    hook: int  # index of the vowel wearing horn / breve (-1: none)
    to_hook: str | None


# seq complete final_ok roof to_roof hook to_hook  ("-" = none)
_VSEQ_ROWS = """
a   1 1 -1 â   -1 ă
â   1 1  0 -   -1 ă
ă   1 1 -1 â    0 -
e   1 1 -1 ê   -1 -
ê   1 1  0 -   -1 -
i   1 1 -1 -   -1 -
o   1 1 -1 ô   -1 ơ
ô   1 1  0 -   -1 ơ
ơ   1 1 -1 ô    0 -
u   1 1 -1 -   -1 ư
ư   1 1 -1 -    0 -
y   1 1 -1 -   -1 -
ai  1 0 -1 -   -1 -
ao  1 0 -1 -   -1 -
au  1 0 -1 âu  -1 -
ay  1 0 -1 ây  -1 -
âu  1 0  0 -   -1 -
ây  1 0  0 -   -1 -
eo  1 0 -1 -   -1 -
eu  0 0 -1 êu  -1 -
êu  1 0  0 -   -1 -
ia  1 0 -1 -   -1 -
ie  0 1 -1 iê  -1 -
iê  1 1  1 -   -1 -
iu  1 0 -1 -   -1 -
oa  1 1 -1 -   -1 oă
oă  1 1 -1 -    1 -
oe  1 1 -1 -   -1 -
oi  1 0 -1 ôi  -1 ơi
ôi  1 0  0 -   -1 ơi
ơi  1 0 -1 ôi   0 -
ua  1 1 -1 uâ  -1 ưa
uâ  1 1  1 -   -1 -
ue  0 1 -1 uê  -1 -
uê  1 1  1 -   -1 -
ui  1 0 -1 -   -1 ưi
uo  0 1 -1 uô  -1 ưo
uô  1 1  1 -   -1 uơ
uơ  1 1 -1 uô   1 ươ
uu  0 0 -1 -   -1 ưu
uy  1 1 -1 -   -1 -
ưa  1 0 -1 -    0 -
ưi  1 0 -1 -    0 -
ưo  0 1 -1 -    0 ươ
ươ  1 1 -1 -    0 -
ưu  1 0 -1 -    0 -
ye  0 1 -1 yê  -1 -
yê  1 1  1 -   -1 -
ieu 0 0 -1 iêu -1 -
iêu 1 0  1 -   -1 -
oai 1 0 -1 -   -1 -
oay 1 0 -1 -   -1 -
oeo 1 0 -1 -   -1 -
uay 0 0 -1 uây -1 -
uây 1 0  1 -   -1 -
uoi 0 0 -1 uôi -1 ưoi
uou 0 0 -1 -   -1 ưou
uôi 1 0  1 -   -1 uơi
uơi 0 0 -1 uôi  1 ươi
uơu 0 0 -1 -    1 ươu
uya 1 0 -1 -   -1 -
uye 0 1 -1 uyê -1 -
uyê 1 1  2 -   -1 -
uyu 1 0 -1 -   -1 -
ưoi 0 0 -1 -    0 ươi
ưou 0 0 -1 -    0 ươu
ươi 1 0 -1 -    0 -
ươu 1 0 -1 -    0 -
yeu 0 0 -1 yêu -1 -
yêu 1 0  1 -   -1 -
"""


def _parse_vseq(rows: str) -> dict[str, _VowelSeq]:
    table: dict[str, _VowelSeq] = {}
    for line in rows.strip().splitlines():
        seq, complete, final_ok, roof, to_roof, hook, to_hook = line.split()
        table[seq] = _VowelSeq(
            complete == "1", final_ok == "1",
            int(roof), None if to_roof == "-" else to_roof,
            int(hook), None if to_hook == "-" else to_hook,
        )
    return table


_VSEQ = _parse_vseq(_VSEQ_ROWS)
_VOWELS = frozenset("aâăeêioôơuưy")

# Consonant clusters UniKey knows.  "gi"/"qu" count as consonants; "gin" is
# the start of "gìn".  A letter like "z" or "f" on its own is no cluster.
_CLUSTERS = frozenset(
    "b c ch d đ dz g gh gi gin h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split()
)

# Final consonants each vowel sequence accepts (UniKey's VC pair table).
_FINALS: dict[str, frozenset[str]] = {
    seq: frozenset(finals.split())
    for seq, finals in {
        "a": "c ch m n ng nh p t", "â": "c m n ng p t", "ă": "c m n ng p t",
        "e": "c ch m n ng nh p t", "ê": "c ch m n nh p t", "i": "c ch m n nh p t",
        "o": "c m n ng p t", "ô": "c m n ng p t", "ơ": "m n p t",
        "u": "c m n ng p t", "ư": "c m n ng t", "y": "t",
        "ie": "c m n ng p t", "iê": "c m n ng p t",
        "oa": "c ch m n ng nh p t", "oă": "c m n ng t", "oe": "n t",
        "ua": "n ng t", "uâ": "n ng t", "ue": "c ch n nh", "uê": "c ch n nh",
        "uo": "c m n ng p t", "uô": "c m n ng t",
        "ưo": "c m n ng p t", "ươ": "c m n ng p t",
        "uy": "c ch n nh p t", "ye": "m n ng p t", "yê": "m n ng t",
        "uye": "n t", "uyê": "n t",
    }.items()
}

# "k" only goes before front vowels (ke, ki, kia, kiêu...).
_AFTER_K = frozenset("e i y ê eo eu êu ia ie iê ieu iêu".split())

_NO_TONE_FINALS = frozenset({"c", "ch", "p", "t"})  # no huyền/hỏi/ngã before them
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # 1 sắc .. 5 nặng


def _valid_cv(c: str | None, v: str | None) -> bool:
    if c is None or v is None:
        return True
    if (c == "gi" and v[0] == "i") or (c == "qu" and v[0] in "uư") or c == "q":
        return False
    if c == "k":
        return v in _AFTER_K
    return True


def _valid_vc(v: str | None, c: str | None) -> bool:
    if v is None or c is None:
        return True
    return c in _FINALS.get(v, ())


def _valid_cvc(c1: str | None, v: str | None, c2: str | None) -> bool:
    if v is None:
        return c1 is None or c2 is not None
    if c1 is None:
        return _valid_vc(v, c2)
    if c2 is None:
        return _valid_cv(c1, v)
    if _valid_cv(c1, v) and _valid_vc(v, c2):
        return True
    # Spellings whose vowel/final pair alone looks wrong: quynh, giêng.
    return (c1 == "qu" and v == "y" and c2 in ("n", "nh")) or (
        c1 == "gi" and v in ("e", "ê") and c2 in ("n", "ng")
    )


def _cluster(letters: str | None) -> str | None:
    return letters if letters in _CLUSTERS else None


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


class _Act(enum.Enum):
    NORMAL = enum.auto()
    ROOF_ALL = enum.auto()  # VNI 6: â ê ô
    ROOF_A = enum.auto()  # Telex a/e/o: only that letter's circumflex
    ROOF_E = enum.auto()
    ROOF_O = enum.auto()
    HOOK_ALL = enum.auto()  # Telex w: ă ơ ư
    HOOK_UO = enum.auto()  # VNI 7: ơ ư only
    BOWL = enum.auto()  # VNI 8: ă only
    DD = enum.auto()
    TONE = enum.auto()
    TELEX_W = enum.auto()
    MAP = enum.auto()  # key that types a letter outright (Telex [ ] { })


class _Kind(enum.Enum):
    RESET = enum.auto()  # Enter, Tab...: the engine forgets the word
    BREAK = enum.auto()  # space, punctuation: ends the word
    FOREIGN = enum.auto()  # digits, f/j/w, other symbols: kept, not Vietnamese
    LETTER = enum.auto()


class _Form(enum.Enum):
    EMPTY = enum.auto()  # a word break cell
    FOREIGN = enum.auto()
    C = enum.auto()
    V = enum.auto()
    CV = enum.auto()
    VC = enum.auto()
    CVC = enum.auto()


_ROOF_TARGET = {_Act.ROOF_A: "â", _Act.ROOF_E: "ê", _Act.ROOF_O: "ô"}

_KeyMap = dict[str, tuple[_Act, int | str | None]]

_TELEX_KEYS: _KeyMap = {
    "z": (_Act.TONE, 0), "s": (_Act.TONE, 1), "f": (_Act.TONE, 2),
    "r": (_Act.TONE, 3), "x": (_Act.TONE, 4), "j": (_Act.TONE, 5),
    "w": (_Act.TELEX_W, None), "a": (_Act.ROOF_A, None), "e": (_Act.ROOF_E, None),
    "o": (_Act.ROOF_O, None), "d": (_Act.DD, None),
    "[": (_Act.MAP, "ơ"), "]": (_Act.MAP, "ư"), "{": (_Act.MAP, "Ơ"), "}": (_Act.MAP, "Ư"),
}
_VNI_KEYS: _KeyMap = {
    **{str(n): (_Act.TONE, n) for n in range(6)},
    "6": (_Act.ROOF_ALL, None), "7": (_Act.HOOK_UO, None),
    "8": (_Act.BOWL, None), "9": (_Act.DD, None),
}

# UniKey's word-break symbols; note ~ ` ^ and digits are not among them.
_BREAKS = frozenset(",;:.\"'!?<>=+-*/\\_@#$%&(){}[]| ")


def _kind_of(ch: str) -> _Kind:
    if ch in _BREAKS:
        return _Kind.BREAK
    if ord(ch) <= 32:
        return _Kind.RESET
    if ch.isascii() and ch.isalpha():
        # f, j, w are not Vietnamese letters: typed literally they stay foreign.
        return _Kind.FOREIGN if ch in "fjwFJW" else _Kind.LETTER
    return _Kind.FOREIGN


def _hook_fits(act: _Act, vowel: str | None) -> bool:
    """VNI 8 only makes ă, VNI 7 only ơ/ư; Telex w makes all three."""
    if act is _Act.BOWL:
        return vowel == "ă"
    return act is not _Act.HOOK_UO or vowel != "ă"


def _letter_of(ch: str) -> str | None:
    return ch.lower() if ch.isascii() and ch.isalpha() else None


@dataclass(slots=True)
class _Key:
    char: str
    act: _Act
    kind: _Kind
    sym: str | None  # lower-case letter the key stands for
    caps: bool
    tone: int = 0

    def as_literal(self) -> None:
        """Fall back to typing the key itself."""
        self.act, self.kind = _Act.NORMAL, _kind_of(self.char)
        self.sym, self.caps = _letter_of(self.char), self.char.isupper()

    def as_letter(self, letter: str) -> None:
        self.act, self.kind = _Act.MAP, _Kind.LETTER
        self.sym, self.caps = letter.lower(), letter.isupper()


@dataclass(slots=True)
class _Cell:
    """One typed character of the current word, with its place in the syllable.

    Offsets count back from this cell: ``c1`` to the cell holding the initial
    cluster, ``c2`` to the final cluster, ``v`` to the last vowel (-1: none).
    """

    key: str
    sym: str | None  # lower-case letter without tone; None: render ``key``
    caps: bool = False
    tone: int = 0
    form: _Form = _Form.FOREIGN
    c1: int = -1
    c2: int = -1
    v: int = -1
    vseq: str | None = None  # vowel sequence up to this vowel
    cseq: str | None = None  # consonant cluster up to this consonant

    def render(self) -> str:
        if self.sym is None:
            return self.key
        text = unicodedata.normalize("NFC", self.sym + _TONE_MARKS[self.tone])
        return text.upper() if self.caps else text


# --------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------


class _Engine:
    """Replays UniKey's per-keystroke processing and renders the final text."""

    def __init__(self, mode: Mode, options: Options) -> None:
        self._keys = _TELEX_KEYS if mode is Mode.TELEX else _VNI_KEYS
        self._modern = options.modern
        self._spell_check = options.spell_check
        # Auto-restore only ever acts on a spell-checked word (processWordEnd
        # returns early when spell check is off).
        self._restore = options.spell_check and options.auto_restore
        self._restore_at_enter = self._restore and options.restore_at_enter
        self._buf: list[_Cell] = []
        self._out: list[str] = []
        # The keystrokes since the last reset, with whether each one changed
        # the text (UniKey's m_keyStrokes[].converted): what a restore replays.
        self._strokes: list[tuple[str, bool]] = []
        # "Single mode": a word begun with dd is never spell-checked (codes).
        self._single = False
        # UniKey remembers that the last w became "ư" and tries that first
        # next time (a static in its processTelexW): "ww" -> "w".
        self._w_as_letter = False

    def run(self, keys: str) -> str:
        for ch in keys:
            self._feed(ch)
        self._flush()
        return unicodedata.normalize("NFC", "".join(self._out))

    # -- plumbing ---------------------------------------------------------

    def _flush(self) -> None:
        self._out.extend(cell.render() for cell in self._buf)
        self._buf.clear()
        self._strokes.clear()
        self._single = False

    def _text(self) -> str:
        return "".join(cell.render() for cell in self._buf)

    def _key(self, ch: str) -> _Key:
        act, arg = self._keys.get(ch) or self._keys.get(ch.lower(), (_Act.NORMAL, None))
        key = _Key(ch, act, _kind_of(ch), _letter_of(ch), ch.isupper())
        if act is _Act.MAP and isinstance(arg, str):
            key.as_letter(arg)
        elif act is _Act.TONE and isinstance(arg, int):
            key.tone = arg
        return key

    def _feed(self, ch: str) -> None:
        key = self._key(ch)
        if self._restore and (key.kind is _Kind.BREAK or (key.kind is _Kind.RESET and self._restore_at_enter)):
            self._restore_invalid_word()
        if key.kind is _Kind.RESET:
            self._append(key)
            return
        if not self._restore:
            self._apply(key)
            return
        before = self._text()
        self._apply(key)
        # "Converted": the key did more than add itself (a mark, an undo, a letter map).
        self._strokes.append((ch, self._text() != before + ch))

    def _apply(self, key: _Key) -> None:
        act = key.act
        if act in (_Act.ROOF_ALL, _Act.ROOF_A, _Act.ROOF_E, _Act.ROOF_O):
            self._roof(key)
        elif act in (_Act.HOOK_ALL, _Act.HOOK_UO, _Act.BOWL):
            self._hook(key)
        elif act in (_Act.DD, _Act.TONE) and not self._buf:
            self._append(key)  # nothing typed yet for it to change: the key types itself
        elif act is _Act.DD:
            self._dd(key)
        elif act is _Act.TONE:
            self._tone(key)
        elif act is _Act.TELEX_W:
            self._telex_w(key)
        elif act is _Act.MAP:
            self._map(key)
        else:
            self._append(key)
        # With spell check off a letter that cannot continue the syllable
        # simply starts a new one: this is why "PMVAA" still becomes "PMVÂ".
        buf = self._buf
        if buf and buf[-1].form is _Form.FOREIGN and key.kind is _Kind.LETTER and (
            not self._spell_check or self._single
        ):
            self._restart_word(buf[-1])

    def _tone_position(self, vseq: str, at_end: bool) -> int:
        info = _VSEQ[vseq]
        if len(vseq) == 1:
            return 0
        if info.roof != -1:
            return info.roof
        if info.hook != -1:
            return 1 if vseq in ("ươ", "ươi", "ươu") else info.hook
        if len(vseq) == 3:
            return 1
        if self._modern and vseq in ("oa", "oe", "uy"):
            return 1
        return 0 if at_end else 1

    def _move_tone(self, old: int, new: int) -> None:
        tone = self._buf[old].tone
        if tone and old != new:
            self._buf[old].tone = 0
            self._buf[new].tone = tone

    def _cluster_at(self, index: int, offset: int) -> str | None:
        return self._buf[index - offset].cseq if offset != -1 else None

    @staticmethod
    def _restart_word(cell: _Cell) -> None:
        cell.c1 = cell.c2 = cell.v = -1
        if cell.sym in _VOWELS:
            cell.form, cell.v, cell.vseq = _Form.V, 0, cell.sym
        else:
            cell.form, cell.c1, cell.cseq = _Form.C, 0, _cluster(cell.sym)

    def _set_vowels(self, start: int, vseq: str) -> None:
        for i in range(len(vseq)):
            self._buf[start + i].vseq = vseq[: i + 1]

    def _fits_syllable(self, cur: int, vseq: str) -> bool:
        """Whether the syllable ending at ``cur`` is still valid Vietnamese with ``vseq`` as its vowels."""
        cell = self._buf[cur]
        return _valid_cvc(self._cluster_at(cur, cell.c1), vseq, self._cluster_at(cur, cell.c2))

    def _change_vowels(self, key: _Key, start: int, vseq: str, old_tone_at: int, at_end: bool, *,
                       undone: bool) -> None:
        """The vowels from ``start`` become ``vseq`` and the tone moves to where it belongs on them; a mark
        taken back (``undone``) then types ``key`` itself, as UniKey does ("aaa" -> "aa")."""
        self._set_vowels(start, vseq)
        self._move_tone(old_tone_at, start + self._tone_position(vseq, at_end))
        if undone:
            self._single = False
            self._append(key)

    # -- auto-restore (UniKey's processWordEnd / restoreKeyStrokes) --------

    def _restore_invalid_word(self) -> None:
        """At a word end: an invalid word that carries a mark gets its keystrokes back.

        UniKey's conditions, in its order: the word so far is not Vietnamese
        judged by its *last* cell only (so ``XÂB`` and ``Â12`` are restored,
        but ``Đ-``, a lone consonant, is not); it carries a tone or a modified
        letter; and one of its keystrokes since the last word-break key changed
        the text.  Then every cell back to the last word break is replaced by
        those keystrokes, typed literally.  The dd "single mode" does not
        protect a word here: the break key clears it before the check.
        """
        if not self._buf or not self._last_word_is_non_vn() or not self._word_has_mark():
            return
        start = len(self._strokes)
        while start > 0 and _kind_of(self._strokes[start - 1][0]) is not _Kind.BREAK:
            start -= 1
        keys = self._strokes[start:]
        if not any(converted for _, converted in keys):
            return
        while self._buf and self._buf[-1].form is not _Form.EMPTY:
            self._buf.pop()
        self._buf.extend(_Cell(ch, None) for ch, _ in keys)  # FOREIGN: rendered as typed
        self._strokes[start:] = [(ch, False) for ch, _ in keys]

    def _last_word_is_non_vn(self) -> bool:
        """UniKey's lastWordIsNonVn: judged on the last cell of the word."""
        last = len(self._buf) - 1
        cell = self._buf[last]
        if cell.form is _Form.FOREIGN:
            return True
        if cell.form in (_Form.EMPTY, _Form.C):
            return False
        if cell.form in (_Form.V, _Form.CV):
            return not _VSEQ[cell.vseq or ""].complete
        vseq = self._buf[last - cell.v].vseq or ""
        if not _VSEQ[vseq].complete:
            return True
        if not _valid_cvc(self._cluster_at(last, cell.c1), vseq, cell.cseq):
            return True
        start = last - cell.v - len(vseq) + 1
        tone = self._buf[start + self._tone_position(vseq, False)].tone
        return cell.cseq in _NO_TONE_FINALS and tone in (2, 3, 4)

    def _word_has_mark(self) -> bool:
        """UniKey's lastWordHasVnMark: a tone, or â ă ê ô ơ ư đ, since the last word break."""
        for cell in reversed(self._buf):
            if cell.form is _Form.EMPTY:
                return False
            if cell.sym is not None and (cell.tone or cell.sym in "âăêôơưđ"):
                return True
        return False

    # -- plain keys -------------------------------------------------------

    def _append(self, key: _Key) -> None:
        if key.kind is _Kind.RESET:
            self._flush()
            self._out.append(key.char)
        elif key.kind is _Kind.BREAK:
            self._single = False
            self._buf.append(_Cell(key.char, key.sym, key.caps, form=_Form.EMPTY))
        elif key.kind is _Kind.FOREIGN:
            self._buf.append(_Cell(key.char, key.sym, key.caps, form=_Form.FOREIGN))
        elif key.sym in _VOWELS:
            prev = self._buf[-1] if self._buf else None
            # "qu" and "gi" are consonants: the u / i belongs to the cluster.
            if prev is not None and prev.form is _Form.C and (
                (prev.cseq == "q" and key.sym == "u") or (prev.cseq == "g" and key.sym == "i")
            ):
                self._append_consonant(key)
            else:
                self._append_vowel(key)
        else:
            self._append_consonant(key)

    def _append_vowel(self, key: _Key) -> None:
        buf, cell = self._buf, _Cell(key.char, key.sym, key.caps)
        assert key.sym is not None
        prev = buf[-1] if buf else None
        if prev is None or prev.form is _Form.EMPTY:
            cell.form, cell.v, cell.vseq = _Form.V, 0, key.sym
        elif prev.form is _Form.C:
            if _valid_cv(prev.cseq, key.sym):
                cell.form, cell.c1, cell.v, cell.vseq = _Form.CV, 1, 0, key.sym
                if prev.cseq == "gi" and prev.tone:  # "gif" + a: the tone moves to the vowel
                    cell.tone, prev.tone = prev.tone, 0
        elif prev.form in (_Form.V, _Form.CV) and prev.vseq is not None:
            p = len(buf) - 1
            vs = prev.vseq
            start = p - len(vs) + 1
            old_tone_at = start + self._tone_position(vs, True)
            # u+ơ / ư+o followed by i or u: both get the horn (ươi, ươu).
            if vs in ("uơ", "ưo") and key.sym in ("i", "u"):
                if vs == "ưo":
                    prev.sym, prev.vseq = "ơ", "ươ"
                else:
                    buf[p - 1].sym, buf[p - 1].vseq = "ư", "ư"
                vs = "ươ"
            new_vs: str | None = vs + key.sym
            if len(vs) == 3 or new_vs not in _VSEQ:
                new_vs = None
            if new_vs and prev.form is _Form.CV and not _valid_cv(self._cluster_at(p, prev.c1), new_vs):
                new_vs = None
            if new_vs is not None:
                cell.form, cell.v, cell.vseq = prev.form, 0, new_vs
                cell.c1 = prev.c1 + 1 if prev.form is _Form.CV else -1
                buf.append(cell)
                self._move_tone(old_tone_at, start + self._tone_position(new_vs, True))
                return
        buf.append(cell)  # form stays FOREIGN

    def _append_consonant(self, key: _Key) -> None:
        buf, cell = self._buf, _Cell(key.char, key.sym, key.caps)
        prev = buf[-1] if buf else None
        p = len(buf) - 1
        if prev is None or prev.form is _Form.EMPTY:
            cell.form, cell.c1, cell.cseq = _Form.C, 0, _cluster(key.sym)
        elif prev.form in (_Form.V, _Form.CV) and prev.vseq is not None:
            vs = prev.vseq
            new_vs = "ươ" if vs in ("uơ", "ưo") else vs
            cs = _cluster(key.sym)
            if _valid_cvc(self._cluster_at(p, prev.c1), new_vs, cs):
                # A final consonant after u+ơ / ư+o completes the horn pair.
                if vs == "ưo":
                    prev.sym, prev.vseq = "ơ", "ươ"
                elif vs == "uơ":
                    buf[p - 1].sym, buf[p - 1].vseq = "ư", "ư"
                    prev.vseq = "ươ"
                cell.form = _Form.VC if prev.form is _Form.V else _Form.CVC
                cell.c1 = -1 if prev.form is _Form.V else prev.c1 + 1
                cell.c2, cell.v, cell.cseq = 0, 1, cs
                buf.append(cell)
                start = p - len(vs) + 1
                self._move_tone(start + self._tone_position(vs, True),
                                start + self._tone_position(new_vs, False))
                return
        elif prev.form in (_Form.C, _Form.VC, _Form.CVC):
            cs = prev.cseq
            new_cs = _cluster(cs + key.sym) if cs is not None and key.sym and len(cs) < 3 else None
            if new_cs and prev.form is not _Form.C and not _valid_cvc(
                self._cluster_at(p, prev.c1), buf[p - prev.v].vseq, new_cs
            ):
                new_cs = None
            if new_cs is not None:
                cell.form, cell.cseq = prev.form, new_cs
                if prev.form is _Form.C:
                    cell.c1 = 0
                else:
                    cell.c1 = prev.c1 + 1 if prev.form is _Form.CVC else -1
                    cell.c2, cell.v = 0, prev.v + 1
        buf.append(cell)  # anything else: FOREIGN

    # -- modifier keys ----------------------------------------------------

    def _roof(self, key: _Key) -> None:
        """^ on a, e, o (Telex aa/ee/oo, VNI 6); pressed again it undoes."""
        buf = self._buf
        if not buf or buf[-1].v < 0:
            self._append(key)
            return
        cur = len(buf) - 1
        v_end = cur - buf[cur].v
        vs = buf[v_end].vseq
        assert vs is not None
        start = v_end - len(vs) + 1
        old_tone_at = start + self._tone_position(vs, v_end == cur)
        target = _ROOF_TARGET.get(key.act)
        both_uo = vs in ("ưo", "ươ", "ưoi", "ươi")  # ư+o... -> uô...
        new_vs = "uô" + vs[2:] if both_uo else _VSEQ[vs].to_roof
        removed = False
        if new_vs is None:
            roof = _VSEQ[vs].roof
            if roof == -1 or (target is not None and buf[start + roof].sym != target):
                self._append(key)
                return
            cell = buf[start + roof]
            cell.sym = {"â": "a", "ê": "e", "ô": "o"}[cell.sym or ""]
            new_vs = "".join(buf[start + i].sym or "" for i in range(len(vs)))
            removed = True
        else:
            roof = _VSEQ[new_vs].roof
            if target is not None and new_vs[roof] != target:
                self._append(key)
                return
            if not self._fits_syllable(cur, new_vs):
                self._append(key)
                return
            if both_uo:
                buf[start].sym, buf[start + 1].sym = "u", "ô"
            else:
                buf[start + roof].sym = new_vs[roof]
        self._change_vowels(key, start, new_vs, old_tone_at, v_end == cur, undone=removed)

    def _hook(self, key: _Key) -> bool:
        """Horn / breve (Telex w, VNI 7 and 8).  True when it applied or undid."""
        buf = self._buf
        if not buf or buf[-1].v < 0:
            self._append(key)
            return False
        cur = len(buf) - 1
        v_end = cur - buf[cur].v
        vs = buf[v_end].vseq
        assert vs is not None
        if len(vs) > 1 and key.act is not _Act.BOWL and vs[0] in "uư" and vs[1] in "oơô":
            return self._hook_uo(key, cur, v_end, vs)
        start = v_end - len(vs) + 1
        old_tone_at = start + self._tone_position(vs, v_end == cur)
        new_vs = _VSEQ[vs].to_hook
        removed = False
        if new_vs is None:
            hook = _VSEQ[vs].hook
            if hook == -1:
                self._append(key)
                return False
            cell = buf[start + hook]
            if not _hook_fits(key.act, cell.sym):
                self._append(key)
                return False
            cell.sym = {"ă": "a", "ư": "u"}.get(cell.sym or "", "o")
            new_vs = "".join(buf[start + i].sym or "" for i in range(len(vs)))
            removed = True
        else:
            hook = _VSEQ[new_vs].hook
            if not _hook_fits(key.act, new_vs[hook]):
                self._append(key)
                return False
            if not self._fits_syllable(cur, new_vs):
                self._append(key)
                return False
            buf[start + hook].sym = new_vs[hook]
        self._change_vowels(key, start, new_vs, old_tone_at, v_end == cur, undone=removed)
        return True

    def _hook_uo(self, key: _Key, cur: int, v_end: int, vs: str) -> bool:
        """The u/o pairs: uo -> ươ (or uơ after h/kh/th: "thuở"), ươ -> uo."""
        buf = self._buf
        start = v_end - len(vs) + 1
        old_tone_at = start + self._tone_position(vs, v_end == cur)
        removed = False
        if vs[0] == "u" and vs[1] in "oô":
            lone = buf[cur].form is _Form.V or (
                buf[cur].form is _Form.CV and buf[cur - 2].cseq in ("h", "kh", "th"))
            if vs in ("uo", "uô") and v_end == cur and lone:
                new_vs = "uơ"
                buf[start + 1].sym = "ơ"
            else:
                new_vs = "ươ" + vs[2:]
                buf[start].sym, buf[start + 1].sym = "ư", "ơ"
        elif vs[0] == "u":  # uơ... -> ươ...
            new_vs = "ư" + vs[1:]
            buf[start].sym = "ư"
        elif vs[1] == "o":  # ưo... -> ươ...
            new_vs = "ươ" + vs[2:]
            buf[start + 1].sym = "ơ"
        else:  # ươ... -> uo..., then the key is typed
            new_vs = "uo" + vs[2:]
            buf[start].sym, buf[start + 1].sym = "u", "o"
            removed = True
        self._change_vowels(key, start, new_vs, old_tone_at, v_end == cur, undone=removed)
        return True

    def _dd(self, key: _Key) -> None:
        """d -> đ anywhere in the syllable (Telex dd, VNI 9); again undoes.  Never on an empty buffer."""
        buf = self._buf
        cur = len(buf) - 1
        cell = buf[cur]
        # UniKey allows dd even inside a non-Vietnamese run (abbreviations).
        if cell.form is _Form.FOREIGN and cell.sym == "d" and (
            cur == 0 or buf[cur - 1].sym not in _VOWELS
        ):
            self._single = True
            cell.sym = cell.cseq = "đ"
            cell.form, cell.c1, cell.c2, cell.v = _Form.C, 0, -1, -1
            return
        if cell.c1 < 0:
            self._append(key)
            return
        first = buf[cur - cell.c1]
        if first.cseq == "d":
            first.sym = first.cseq = "đ"
            self._single = True
        elif first.cseq == "đ":
            first.sym = first.cseq = "d"
            self._single = False
            self._append(key)
        else:
            self._append(key)

    def _tone(self, key: _Key) -> None:
        """A tone mark on the syllable's vowel (or z, no tone); the same again undoes.  Never on an empty buffer."""
        buf = self._buf
        cur = len(buf) - 1
        cell = buf[cur]
        if cell.form is _Form.C and cell.cseq in ("gi", "gin"):
            target = buf[cur if cell.cseq == "gi" else cur - 1]  # the i of gi
        elif cell.v < 0:
            self._append(key)
            return
        else:
            if cell.form in (_Form.VC, _Form.CVC) and cell.cseq in _NO_TONE_FINALS and key.tone in (2, 3, 4):
                self._append(key)
                return
            v_end = cur - cell.v
            vs = buf[v_end].vseq
            assert vs is not None
            target = buf[v_end - len(vs) + 1 + self._tone_position(vs, v_end == cur)]
        if target.tone == key.tone:  # same tone again (or z with none): undo, type the key
            if key.tone:
                target.tone = 0
                self._single = False
            self._append(key)
            return
        target.tone = key.tone

    def _map(self, key: _Key) -> bool:
        """A key that types a Vietnamese letter (Telex [ ] { } and w)."""
        self._append(key)
        buf = self._buf
        if buf[-1].form not in (_Form.EMPTY, _Form.FOREIGN):
            return True
        buf.pop()  # the letter does not fit here
        undo = False
        prev = buf[-1] if buf else None
        if prev is not None and prev.form not in (_Form.EMPTY, _Form.FOREIGN) and (
            prev.sym, prev.caps) == (key.sym, key.caps):
            # The same letter typed twice: take it back and type the key ("ww" -> "w").
            cur = len(buf) - 1
            if prev.form is not _Form.C and prev.v >= 0:
                v_end = cur - prev.v
                vs = buf[v_end].vseq or ""
                start = v_end - len(vs) + 1
                tone_at = start + self._tone_position(vs, v_end == cur)
                tone = buf[tone_at].tone
                buf.pop()
                if tone and buf and buf[-1].form in (_Form.V, _Form.CV) and buf[-1].vseq:
                    new_at = start + self._tone_position(buf[-1].vseq or "", True)
                    if new_at != tone_at:
                        buf[new_at].tone = tone
                        if tone_at < len(buf):
                            buf[tone_at].tone = 0
            else:
                buf.pop()
            undo = True
        key.as_literal()
        self._append(key)
        if undo:
            self._single = False
        return undo

    def _telex_w(self, key: _Key) -> None:
        letter = "Ư" if key.char.isupper() else "ư"
        if self._w_as_letter:
            key.as_letter(letter)
            if self._map(key):
                return
            self._buf.pop()  # the literal w _map typed
            self._w_as_letter = False
            key.act = _Act.HOOK_ALL
            self._hook(key)
            return
        key.act = _Act.HOOK_ALL
        if self._hook(key):
            return
        self._buf.pop()  # the literal w _hook typed
        key.as_letter(letter)
        self._w_as_letter = True
        self._map(key)


@dataclass(frozen=True, slots=True)
class Options:
    """The UniKey/EVKey settings that change what a scan becomes.

    ``modern``: "Đặt dấu oà, uý" (tone on the second vowel of oa/oe/uy).
    ``spell_check``: "Bật kiểm tra chính tả".  ``auto_restore``: "Tự động khôi
    phục phím với từ sai" (fcitx5-unikey: AutoNonVnRestore); it needs spell
    check and acts at a word-break key (space, ``-``, ``.``...).
    ``restore_at_enter``: the front end also ends the word at Enter/Tab, so
    the last word of a scan is restored too -- fcitx5-unikey does (it feeds
    key 0, a word break, before committing); UniKey's own engine treats Enter
    as a reset and restores nothing there.
    """

    modern: bool = False
    spell_check: bool = False
    auto_restore: bool = False
    restore_at_enter: bool = False


# Every distinct behaviour a shop's input method can have: the diagnosis
# replays a code through each.  (auto_restore without spell check, or
# restore_at_enter without auto_restore, behave like a row already here.)
CONFIGURATIONS: tuple[Options, ...] = tuple(
    Options(modern, spell, restore, at_enter)
    for modern in (False, True)
    for spell, restore, at_enter in ((False, False, False), (True, False, False),
                                     (True, True, False), (True, True, True))
)


def telex(keys: str, *, modern: bool = False, spell_check: bool = False,
          auto_restore: bool = False, restore_at_enter: bool = False) -> str:
    """The text UniKey/EVKey in Telex mode produces from ``keys`` (NFC)."""
    return _Engine(Mode.TELEX, Options(modern, spell_check, auto_restore, restore_at_enter)).run(keys)


def vni(keys: str, *, modern: bool = False, spell_check: bool = False,
        auto_restore: bool = False, restore_at_enter: bool = False) -> str:
    """The text UniKey/EVKey in VNI mode produces from ``keys`` (NFC)."""
    return _Engine(Mode.VNI, Options(modern, spell_check, auto_restore, restore_at_enter)).run(keys)


def type_keys(keys: str, mode: Mode | str, options: Options | None = None, *,
              modern: bool = False, spell_check: bool = False) -> str:
    """``telex`` or ``vni`` by mode name; ``options`` (when given) replaces the keyword settings."""
    return _Engine(Mode(mode), options or Options(modern, spell_check)).run(keys)
