"""The pack schema: the real ND 232 pack loads; every kind of bad field is named; diff."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from pmv_protocol.packs import (
    CashLimitRule,
    ChangeKind,
    PackError,
    RegulationPack,
    VatRateRule,
    diff,
    load_pack,
    pack_json_schema,
    read_pack,
)
from pmv_protocol.signed_json import JsonProblem, canonical_bytes
from tests.unit.updates.conftest import ND232


def _doc() -> dict[str, Any]:
    return json.loads(ND232.read_text(encoding="utf-8"))


def _load(doc: Any) -> RegulationPack:
    return load_pack(json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def test_the_real_nd232_pack() -> None:
    pack = load_pack(ND232.read_bytes())
    assert (pack.id, pack.version) == ("nd-232-2025", "1.1.0")
    assert pack.issued_on == dt.date(2025, 8, 26)
    assert pack.effective_date == dt.date(2025, 10, 10)
    assert pack.legal_reference == "Nghị định 232/2025/NĐ-CP sửa đổi Nghị định 24/2012/NĐ-CP"
    assert "tài khoản" in pack.summary_vi and "tiền mặt" in pack.summary_vi
    rule = pack.cash_limit()
    assert isinstance(rule, CashLimitRule)
    assert rule.amount_vnd == 20_000_000
    assert pack.effective_date_of(rule) == dt.date(2025, 10, 10)
    # The whole rule is data (Decree 232/2025 cl. 10 art. 4 of Decree 24/2012: "từ 20 triệu đồng trở lên",
    # purchases and sales together, whatever the means; SBV guidance 17/10/2025: only a transfer qualifies).
    assert rule.inclusive is True
    assert rule.counted_kinds == ["sell", "buy"] and rule.counted_methods == "all"
    assert rule.bank_account_methods == ["bank_transfer"]


def test_a_pack_of_the_first_shape_still_parses_with_the_correct_rule() -> None:
    """Tills have 1.0.0 installed (the threshold only): its missing fields mean the rule as the decree states it."""
    doc = _doc()
    doc["version"] = "1.0.0"
    doc["rules"][0] = {"kind": "cash_limit_per_customer_per_day", "amount_vnd": 20_000_000,
                       "effective_date": "2025-10-10"}
    old = _load(doc)
    rule = old.cash_limit()
    assert rule is not None and rule.inclusive and rule.counted_kinds == ["sell", "buy"]
    assert rule.counted_methods == "all" and rule.bank_account_methods == ["bank_transfer"]
    # Upgrading to 1.1.0, which spells the same rule out, changes nothing in force.
    # Only the note (absent from this 1.0.0) differs: the defaults are the fields 1.1.0 spells out.
    assert [c.changed_fields for c in diff(old, load_pack(ND232.read_bytes()))] == [("note_vi",)]


@pytest.mark.parametrize(("amount", "inclusive", "caught"), [
    (20_000_000, True, True),  # "từ 20 triệu đồng trở lên": the amount itself
    (19_999_999, True, False),
    (20_000_000, False, False),  # a later pack may say "trên" (over) instead
    (20_000_001, False, True),
])
def test_the_threshold_is_inclusive_as_the_decree_words_it(amount: int, inclusive: bool, caught: bool) -> None:
    rule = CashLimitRule(kind="cash_limit_per_customer_per_day", amount_vnd=20_000_000, inclusive=inclusive)
    assert rule.reaches(amount) is caught


def test_the_pack_schema_file_is_the_models() -> None:
    schema_file = ND232.parent / "pack.schema.json"
    assert json.loads(schema_file.read_text(encoding="utf-8")) == pack_json_schema(), (
        "resources/regulation/pack.schema.json is stale: python -m pmv_protocol.packs > it")
    cash = pack_json_schema()["$defs"]["CashLimitRule"]["properties"]
    assert cash["bank_account_methods"]["items"]["enum"] == ["cash", "bank_transfer", "card", "e_wallet", "voucher"]


def test_all_rule_kinds_load() -> None:
    doc = _doc()
    doc["rules"] += [
        {"kind": "vat_rate", "percent": 8, "applies_to": "labor"},
        {"kind": "vat_rate", "percent": 10, "applies_to": "gold_jewellery", "effective_date": "2026-01-01"},
        {"kind": "reporting_threshold", "amount_vnd": 400_000_000, "what": "giao dịch tiền mặt lớn"},
        {"kind": "label_required_fields", "fields": ["product_name", "purity", "gold_weight", "producer"]},
        {"kind": "invoice_required_fields", "fields": ["series", "number", "buyer_name", "payment_method"]},
    ]
    pack = _load(doc)
    assert [rule.kind for rule in pack.rules][1:3] == ["vat_rate", "vat_rate"]
    assert pack.rules_of(VatRateRule)[1].effective_date == dt.date(2026, 1, 1)


def test_a_bom_is_tolerated() -> None:
    assert load_pack(b"\xef\xbb\xbf" + ND232.read_bytes()).id == "nd-232-2025"


def _rule(doc: dict[str, Any], **changes: Any) -> None:
    doc["rules"][0].update(changes)


CASES: list[tuple[str, Any, str]] = [
    ("amount zero", lambda d: _rule(d, amount_vnd=0), "rules[0].amount_vnd"),
    ("amount negative", lambda d: _rule(d, amount_vnd=-5), "rules[0].amount_vnd"),
    ("amount as text", lambda d: _rule(d, amount_vnd="20000000"), "rules[0].amount_vnd"),
    ("amount as float", lambda d: _rule(d, amount_vnd=2e7 + 0.5), "rules[0].amount_vnd"),
    ("unknown rule kind", lambda d: _rule(d, kind="cash_limit_per_month"), "rules[0].kind"),
    ("missing rule kind", lambda d: d["rules"][0].pop("kind"), "rules[0].kind"),
    ("unknown key in a rule", lambda d: _rule(d, amount_vnđ=1), "rules[0].amount_vnđ"),
    ("rule date before the pack", lambda d: _rule(d, effective_date="2025-01-01"), "rules[0].effective_date"),
    ("version not dotted ints", lambda d: d.update(version="1.0-beta"), "version"),
    ("id with a path in it", lambda d: d.update(id="../nd-232"), "id"),
    ("id upper case", lambda d: d.update(id="ND-232"), "id"),
    ("missing title", lambda d: d.pop("title_vi"), "title_vi"),
    ("empty summary", lambda d: d.update(summary_vi=""), "summary_vi"),
    ("bad date", lambda d: d.update(effective_date="2025-02-30"), "effective_date"),
    ("effective before issued", lambda d: d.update(effective_date="2025-08-01"), "effective_date"),
    ("no rules", lambda d: d.update(rules=[]), "rules"),
    ("unknown top-level key", lambda d: d.update(signature="x"), "signature"),
    ("vat over 100", lambda d: d["rules"].append({"kind": "vat_rate", "percent": 120, "applies_to": "labor"}),
     "rules[1].percent"),
    ("reporting without what",
     lambda d: d["rules"].append({"kind": "reporting_threshold", "amount_vnd": 1}), "rules[1].what"),
    ("unknown label field",
     lambda d: d["rules"].append({"kind": "label_required_fields", "fields": ["purity", "colour"]}),
     "rules[1].fields[1]"),
    ("duplicate invoice field",
     lambda d: d["rules"].append({"kind": "invoice_required_fields", "fields": ["series", "number", "series"]}),
     "rules[1].fields[2]"),
    ("the same rule twice", lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])), "rules[1]"),
    ("unknown payment method", lambda d: _rule(d, bank_account_methods=["bank_transfer", "cheque"]),
     "rules[0].bank_account_methods[1]"),
    ("a payment method twice", lambda d: _rule(d, bank_account_methods=["bank_transfer", "bank_transfer"]),
     "rules[0].bank_account_methods[1]"),
    ("no method qualifies", lambda d: _rule(d, bank_account_methods=[]), "rules[0].bank_account_methods"),
    ("unknown document kind", lambda d: _rule(d, counted_kinds=["sell", "gift"]), "rules[0].counted_kinds[1]"),
    ("nothing counted", lambda d: _rule(d, counted_kinds=[]), "rules[0].counted_kinds"),
    ("counted methods neither all nor a list", lambda d: _rule(d, counted_methods="some"),
     "rules[0].counted_methods"),
    ("inclusive as text", lambda d: _rule(d, inclusive="yes"), "rules[0].inclusive"),
]


@pytest.mark.parametrize(("mutate", "field"), [(m, f) for _, m, f in CASES], ids=[c[0] for c in CASES])
def test_invalid_fields_are_named(mutate: Any, field: str) -> None:
    doc = _doc()
    mutate(doc)
    with pytest.raises(PackError) as caught:
        _load(doc)
    assert caught.value.field == field, caught.value.reason
    assert caught.value.reason


@pytest.mark.parametrize("data", [b"", b"{not json", b"[1, 2]", b"null"])
def test_not_a_pack_at_all(data: bytes) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(data)
    assert caught.value.field == "pack"


def test_oversized_input_is_refused_before_parsing() -> None:
    with pytest.raises(PackError) as caught:
        load_pack(b" " * 2_000_000)
    assert caught.value.field == "pack"


def test_versions_compare_as_numbers() -> None:
    assert _load({**_doc(), "version": "1.10"}).version_key > _load({**_doc(), "version": "1.9"}).version_key


def test_a_pack_version_is_ordered_as_the_updater_orders_it() -> None:
    """PEP 440 (pmv_protocol.versions, which the update service uses to offer a pack): 1.2 and 1.2.0 are one
    version, so installing one over the other is neither an upgrade nor a downgrade."""
    assert _load({**_doc(), "version": "1.2"}).version_key == _load({**_doc(), "version": "1.2.0"}).version_key


# --- diff ---------------------------------------------------------------------

def test_first_install_adds_every_rule() -> None:
    changes = diff(None, load_pack(ND232.read_bytes()))
    assert [(c.change, c.kind) for c in changes] == [(ChangeKind.ADDED, "cash_limit_per_customer_per_day")]
    assert changes[0].after is not None and changes[0].after["amount_vnd"] == 20_000_000


def test_diff_added_removed_changed() -> None:
    old_doc = _doc()
    old_doc["rules"].append({"kind": "vat_rate", "percent": 10, "applies_to": "labor"})
    old_doc["rules"].append({"kind": "reporting_threshold", "amount_vnd": 300_000_000, "what": "báo cáo"})
    new_doc = _doc()
    new_doc["version"] = "1.1.0"
    new_doc["rules"][0]["amount_vnd"] = 15_000_000
    new_doc["rules"].append({"kind": "vat_rate", "percent": 8, "applies_to": "labor"})
    new_doc["rules"].append({"kind": "label_required_fields", "fields": ["purity"]})
    changes = {(c.kind, c.change): c for c in diff(_load(old_doc), _load(new_doc))}
    assert set(changes) == {
        ("cash_limit_per_customer_per_day", ChangeKind.CHANGED),
        ("vat_rate", ChangeKind.CHANGED),
        ("label_required_fields", ChangeKind.ADDED),
        ("reporting_threshold", ChangeKind.REMOVED),
    }
    cash = changes[("cash_limit_per_customer_per_day", ChangeKind.CHANGED)]
    assert cash.changed_fields == ("amount_vnd",)
    assert cash.before is not None and cash.after is not None
    assert (cash.before["amount_vnd"], cash.after["amount_vnd"]) == (20_000_000, 15_000_000)
    vat = changes[("vat_rate", ChangeKind.CHANGED)]
    assert vat.key == "labor" and vat.changed_fields == ("percent",)
    removed = changes[("reporting_threshold", ChangeKind.REMOVED)]
    assert removed.after is None and removed.before is not None and removed.before["amount_vnd"] == 300_000_000


def test_diff_sees_an_inherited_date_move() -> None:
    old_doc = _doc()
    old_doc["rules"][0].pop("effective_date")
    new_doc = copy.deepcopy(old_doc)
    new_doc["effective_date"] = "2025-11-01"
    [change] = diff(_load(old_doc), _load(new_doc))
    assert change.changed_fields == ("effective_date",)
    assert change.after is not None and change.after["effective_date"] == "2025-11-01"


def test_no_change_no_diff() -> None:
    pack = load_pack(ND232.read_bytes())
    assert diff(pack, pack) == []


# --- one reading only (issue 18, section 4) -----------------------------------------
# RFC 8259 s.4 "The names within an object SHOULD be unique"; RFC 7493 (I-JSON) s.2.3 "Objects MUST NOT have
# members with duplicate names"; RFC 8259 s.6 for NaN.  pydantic's own JSON parser, like json.loads, keeps the
# last duplicate and takes NaN, so without the strict reader these packs would load.

TWICE_CASES = [
    ("a rule's amount", b'"amount_vnd": 20000000', b"2000000", "rules[0].amount_vnd"),
    ("the pack's effective date", b'"effective_date": "2025-10-10",\n  "rules"', b'"2030-01-01"', "effective_date"),
    ("the id", b'"id": "nd-232-2025"', b'"nd-232-2024"', "id"),
]


@pytest.mark.parametrize(("member", "first", "field"), [c[1:] for c in TWICE_CASES], ids=[c[0] for c in TWICE_CASES])
def test_a_member_given_twice_is_refused_with_its_path(member: bytes, first: bytes, field: str) -> None:
    data = ND232.read_bytes()
    assert data.count(member) == 1
    name = member.split(b":")[0]
    forged = data.replace(member, name + b": " + first + b", " + member)
    RegulationPack.model_validate_json(forged)  # the lenient reading: it would have loaded
    with pytest.raises(PackError) as caught:
        load_pack(forged)
    assert caught.value.field == field
    assert caught.value.fault is not None and caught.value.fault.problem is JsonProblem.DUPLICATE_KEY


def test_nan_is_refused() -> None:
    doc = json.dumps({**_doc(), "rules": [{"kind": "vat_rate", "percent": 8, "applies_to": "labor"}]})
    with pytest.raises(PackError) as caught:
        load_pack(doc.replace('"percent": 8', '"percent": NaN').encode())
    assert caught.value.field == "rules[0].percent"
    assert caught.value.fault is not None and caught.value.fault.problem is JsonProblem.NON_FINITE_NUMBER


def test_read_pack_gives_the_canonical_bytes_of_what_it_validated() -> None:
    pack, stored = read_pack(b"\xef\xbb\xbf" + ND232.read_bytes())
    assert stored == canonical_bytes(json.loads(ND232.read_text(encoding="utf-8")))
    assert read_pack(stored) == (pack, stored)  # stored bytes read back as the same pack, unchanged
