"""Regulation packs: a legal text turned into typed rules the app can check.

A pack is one JSON document (see ``resources/regulation/nd-232-2025.json``).
It arrives through TUF, so by the time :func:`load_pack` sees it the bytes
are authentic; validation here is about *meaning*: a pack that the shop's
systems cannot apply exactly must be refused before it is installed, with the
failing field named (``rules[0].amount_vnd``) so the vendor can fix it.

Authentic bytes can still be read two ways: pydantic's JSON parser, like
``json.loads``, keeps the last of two same-named members and accepts ``NaN``.
So a pack is first read by :mod:`pmv_protocol.signed_json` (a name given twice, at
any depth, is refused with its path), and what is validated, installed and
handed to the POS is :func:`read_pack`'s canonical re-serialisation of that
one reading, never the bytes as received.

Domain code only: errors carry field paths and technical reasons, never UI text.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pmv_protocol import versions
from pmv_protocol.pack_names import PACK_ID_PATTERN as PACK_ID_PATTERN
from pmv_protocol.pack_names import VERSION_PATTERN as VERSION_PATTERN
from pmv_protocol.signed_json import JsonFault, StrictJsonError, canonical_bytes, parse_object

# Packs are a few KB; anything near this is not a pack (and must not be parsed into memory).
MAX_PACK_BYTES = 1_000_000

# What a jewellery tag can print (the label model's fields), so a pack cannot require one the printer cannot show.
LabelField = Literal[
    "product_name", "item_code", "purity", "gold_weight", "stone_weight", "total_weight",
    "labor_fee", "price", "producer", "origin", "shop_name",
]
# The e-invoice content the POS can fill (Decree 123/2020 plus the gold-specific lines).
InvoiceField = Literal[
    "series", "number", "issued_at", "seller_name", "seller_tax_code", "seller_address",
    "buyer_name", "buyer_address", "buyer_tax_code", "buyer_id_number", "item_name", "purity",
    "gold_weight", "quantity", "unit_price", "amount", "vat_rate", "vat_amount", "total_amount",
    "payment_method",
]


class PackError(Exception):
    """A pack that cannot be used; ``field`` is the path of the first failing field.

    Deliberately not a ``ValueError``: raised inside a pydantic validator it
    propagates as is, keeping the exact field path instead of being rewrapped.
    """

    def __init__(self, field: str, reason: str, *, fault: JsonFault | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.fault = fault  # set when the bytes are not JSON or could be read two ways


class _Strict(BaseModel):
    # Forbid unknown keys: a typo ("amount_vnđ") must fail loudly, not silently drop a rule.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RuleBase(_Strict):
    # A rule may start later than the pack (a transition period); None means the pack's date.
    effective_date: dt.date | None = None
    note_vi: str | None = Field(default=None, min_length=1, max_length=2000)

    def key(self) -> str:
        """What identifies the rule within its kind (for uniqueness and for :func:`diff`)."""
        return ""


# How the POS records a payment (app.shop.pos_schema.PAYMENT_METHODS), and its two document kinds.
PaymentMethod = Literal["cash", "bank_transfer", "card", "e_wallet", "voucher"]
TransactionKind = Literal["sell", "buy"]
_BOTH_KINDS: tuple[TransactionKind, ...] = ("sell", "buy")
_TRANSFER_ONLY: tuple[PaymentMethod, ...] = ("bank_transfer",)


class CashLimitRule(RuleBase):
    """Decree 232/2025: from this amount a customer's day of gold trading is paid through bank accounts only.

    Every part of the rule is data, so a later pack can correct any of it
    without an app release.  The fields added in pack 1.1.0 default to the
    rule as the decree and the State Bank state it, so a 1.0.0 pack (amount
    only) installed on a till still parses and is applied correctly:

    - ``inclusive``: "từ 20 triệu đồng trở lên", the amount itself is caught.
    - ``counted_kinds``: the shop selling (``sell``) and buying back (``buy``)
      both count towards the customer's day.
    - ``counted_methods``: the day's total counts every means of payment.
    - ``bank_account_methods``: the POS methods that are payment from a bank
      payment account.  Only a transfer; the State Bank's guidance of
      17/10/2025 says cards, e-wallets and vouchers are not.
    """

    kind: Literal["cash_limit_per_customer_per_day"]
    amount_vnd: int = Field(gt=0)
    inclusive: bool = True
    counted_kinds: list[TransactionKind] = Field(default_factory=lambda: list(_BOTH_KINDS), min_length=1)
    counted_methods: Literal["all"] | Annotated[list[PaymentMethod], Field(min_length=1)] = "all"
    bank_account_methods: list[PaymentMethod] = Field(default_factory=lambda: list(_TRANSFER_ONLY), min_length=1)

    def reaches(self, total_vnd: int) -> bool:
        """Whether a customer's day total is caught by the rule."""
        return total_vnd >= self.amount_vnd if self.inclusive else total_vnd > self.amount_vnd

    def counts(self, kind: str, method: str) -> bool:
        """Whether a payment of this document kind and method counts towards the day's total."""
        return kind in self.counted_kinds and (self.counted_methods == "all" or method in self.counted_methods)

    def through_bank_account(self, method: str) -> bool:
        # A method the pack does not name (a new POS method) does not qualify: the safe reading.
        return method in self.bank_account_methods


class VatRateRule(RuleBase):
    kind: Literal["vat_rate"]
    percent: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    applies_to: str = Field(min_length=1, max_length=100)  # e.g. "labor", "gold_jewellery"

    def key(self) -> str:
        return self.applies_to


class ReportingThresholdRule(RuleBase):
    kind: Literal["reporting_threshold"]
    amount_vnd: int = Field(gt=0)
    what: str = Field(min_length=1, max_length=300)  # what must be reported from this amount

    def key(self) -> str:
        return self.what


class LabelRequiredFieldsRule(RuleBase):
    kind: Literal["label_required_fields"]
    fields: list[LabelField] = Field(min_length=1)


class InvoiceRequiredFieldsRule(RuleBase):
    kind: Literal["invoice_required_fields"]
    fields: list[InvoiceField] = Field(min_length=1)


def _unique_fields(rule_index: int, fields: list[str], field: str = "fields") -> None:
    # Checked here, not in the rule, so the error can name the rule's place in the pack.
    seen: set[str] = set()
    for index, name in enumerate(fields):
        if name in seen:
            raise PackError(f"rules[{rule_index}].{field}[{index}]", f"'{name}' is listed twice")
        seen.add(name)


Rule = Annotated[
    CashLimitRule | VatRateRule | ReportingThresholdRule | LabelRequiredFieldsRule | InvoiceRequiredFieldsRule,
    Field(discriminator="kind"),
]
RULE_KINDS: frozenset[str] = frozenset({
    "cash_limit_per_customer_per_day", "vat_rate", "reporting_threshold",
    "label_required_fields", "invoice_required_fields",
})
R = TypeVar("R", bound=RuleBase)


class RegulationPack(_Strict):
    id: str = Field(pattern=PACK_ID_PATTERN)
    version: str = Field(pattern=VERSION_PATTERN)
    title_vi: str = Field(min_length=1, max_length=300)
    summary_vi: str = Field(min_length=1, max_length=5000)
    legal_reference: str = Field(min_length=1, max_length=500)
    issued_on: dt.date
    effective_date: dt.date
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RegulationPack:
        if self.effective_date < self.issued_on:
            raise PackError("effective_date", "is before issued_on")
        keys: dict[tuple[str, str], int] = {}
        for index, rule in enumerate(self.rules):
            if rule.effective_date is not None and rule.effective_date < self.effective_date:
                # A rule cannot be in force before the text that creates it.
                raise PackError(f"rules[{index}].effective_date", "is before the pack's effective_date")
            if isinstance(rule, LabelRequiredFieldsRule | InvoiceRequiredFieldsRule):
                _unique_fields(index, list(rule.fields))
            if isinstance(rule, CashLimitRule):
                _unique_fields(index, list(rule.counted_kinds), "counted_kinds")
                _unique_fields(index, list(rule.bank_account_methods), "bank_account_methods")
                if rule.counted_methods != "all":
                    _unique_fields(index, list(rule.counted_methods), "counted_methods")
            ident = (rule.kind, rule.key())
            if ident in keys:
                raise PackError(f"rules[{index}]", f"repeats rules[{keys[ident]}] ({rule.kind})")
            keys[ident] = index
        return self

    @property
    def version_key(self) -> tuple[int, ...]:
        """Versions compare as numbers: 1.10 is newer than 1.9."""
        return version_key(self.version)

    def rules_of(self, kind: type[R]) -> list[R]:
        return [rule for rule in self.rules if isinstance(rule, kind)]

    def effective_date_of(self, rule: RuleBase) -> dt.date:
        return rule.effective_date or self.effective_date

    def cash_limit(self) -> CashLimitRule | None:
        found = self.rules_of(CashLimitRule)
        return found[0] if found else None


def pack_json_schema() -> dict[str, Any]:
    """The pack's JSON Schema, for the vendor's editors and tools (resources/regulation/pack.schema.json).

    Generated from the model, so it cannot drift: a test compares the file
    with this.  Regenerate with ``python -m pmv_protocol.packs > resources/regulation/pack.schema.json``.
    The model stays the authority (it also checks what a schema cannot:
    dates in order, rules not repeated).
    """
    schema = RegulationPack.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def version_key(version: str) -> tuple[int, ...]:
    """A pack's version (digits and dots only, VERSION_PATTERN) in the updater's order: PEP 440, 1.2 == 1.2.0."""
    release, _final = versions.version_key(version)
    return release


def _path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's ``('rules', 0, 'cash_limit_per_customer_per_day', 'amount_vnd')`` -> ``rules[0].amount_vnd``."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(previous, int) and part in RULE_KINDS:
            pass  # the union's tag, not a field the vendor wrote
        elif "[" in part:
            pass  # which member of a plain union failed (``literal['all']``): not a field either
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out or "pack"


def _from_validation_error(exc: ValidationError) -> PackError:
    first = exc.errors(include_url=False)[0]
    field = _path(tuple(first["loc"]))
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        field += ".kind"  # the tag itself is what is wrong or missing
    return PackError(field, first["msg"])


M = TypeVar("M", bound=BaseModel)


def read_document(data: bytes, model: type[M]) -> tuple[M, bytes]:
    """Parse and validate one signed-channel document (a regulation or calendar pack) as ``model``.

    Returns it with the bytes to store (canonical JSON of what was validated). :class:`PackError`
    names the first failing field; for a document that is not JSON or could be read two ways,
    ``fault`` says how and ``field`` is its path.
    """
    if len(data) > MAX_PACK_BYTES:
        raise PackError("pack", f"is {len(data)} bytes, more than {MAX_PACK_BYTES}")
    try:
        # A leading BOM is skipped by the parser: Notepad adds one when someone edits a pack by hand.
        stored = canonical_bytes(parse_object(data))
    except StrictJsonError as exc:
        raise PackError(exc.fault.path or "pack", str(exc), fault=exc.fault) from None
    try:
        # Validated from the stored bytes themselves, so what is checked is exactly what is kept.
        return model.model_validate_json(stored), stored
    except ValidationError as exc:
        raise _from_validation_error(exc) from None


def read_pack(data: bytes) -> tuple[RegulationPack, bytes]:
    """One regulation pack, validated (see :func:`read_document`)."""
    return read_document(data, RegulationPack)


def load_pack(data: bytes) -> RegulationPack:
    """Parse and validate one pack; :class:`PackError` names the first failing field."""
    return read_pack(data)[0]


# --- what changed -------------------------------------------------------------

class ChangeKind(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class RuleChange:
    change: ChangeKind
    kind: str  # the rule kind, e.g. "cash_limit_per_customer_per_day"
    key: str  # which rule of that kind ("" when a kind occurs once)
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed_fields: tuple[str, ...] = ()


def _values(pack: RegulationPack, rule: RuleBase) -> dict[str, Any]:
    # Resolve the inherited date: moving the pack's date moves the rule's, and the manager must see that.
    values = rule.model_dump(mode="json", exclude={"kind"})
    values["effective_date"] = pack.effective_date_of(rule).isoformat()
    return values


def diff(old: RegulationPack | None, new: RegulationPack) -> list[RuleChange]:
    """Rules added, removed or changed from ``old`` to ``new`` (``old=None``: a first install)."""
    before = {(r.kind, r.key()): _values(old, r) for r in old.rules} if old is not None else {}
    after = {(r.kind, r.key()): _values(new, r) for r in new.rules}
    changes: list[RuleChange] = []
    for ident, values in after.items():
        if ident not in before:
            changes.append(RuleChange(ChangeKind.ADDED, ident[0], ident[1], None, values))
        elif before[ident] != values:
            fields = tuple(sorted(k for k in before[ident].keys() | values.keys()
                                  if before[ident].get(k) != values.get(k)))
            changes.append(RuleChange(ChangeKind.CHANGED, ident[0], ident[1], before[ident], values, fields))
    for ident, values in before.items():
        if ident not in after:
            changes.append(RuleChange(ChangeKind.REMOVED, ident[0], ident[1], values, None))
    return changes


if __name__ == "__main__":  # regenerates resources/regulation/pack.schema.json (see pack_json_schema)
    import json
    import sys

    sys.stdout.write(json.dumps(pack_json_schema(), ensure_ascii=False, indent=2) + "\n")
