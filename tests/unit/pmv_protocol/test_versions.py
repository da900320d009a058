"""The one version order (pmv_protocol.versions): PEP 440's ordering rules for the forms the vendor tool publishes
(vendor_server.tuf_repo.VERSION_PATTERN: N(.N){0,3} with an optional aN / bN / rcN)."""

from __future__ import annotations

import pytest

from pmv_protocol.versions import version_key
from vendor_server.tuf_repo import VERSION_PATTERN

# Oldest first, each strictly older than the next.  From PEP 440 "Summary of permitted suffixes and relative
# ordering": within a release, pre-releases (a < b < rc, then by number) sort before the final release; release
# segments compare numerically, component by component; a pre-release of a later release is after every earlier
# final release.
PEP_440_ORDER = ["0.9", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0rc2", "1.0", "1.0.1", "1.1a1", "1.1", "1.2.0a1",
                 "1.2.0b1", "1.2.0rc1", "1.2.0rc10", "1.2.0", "1.2.1rc1", "1.2.1", "1.9.0", "1.10.0rc1", "1.10.0",
                 "2.0.0b1", "2.0.0", "10.0.0"]


def test_the_table_is_publishable() -> None:
    assert all(VERSION_PATTERN.match(version) for version in PEP_440_ORDER)


@pytest.mark.parametrize(("older", "newer"), list(zip(PEP_440_ORDER, PEP_440_ORDER[1:], strict=False)))
def test_versions_order_as_pep_440_orders_them(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)


def test_sorting_a_shuffled_list_gives_the_pep_440_order() -> None:
    assert sorted(reversed(PEP_440_ORDER), key=version_key) == PEP_440_ORDER


@pytest.mark.parametrize(("one", "same"), [("1.2", "1.2.0"), ("1", "1.0.0.0"), ("1.2rc1", "1.2.0rc1")])
def test_trailing_zeros_do_not_make_a_release_newer(one: str, same: str) -> None:
    # PEP 440: "release segments are compared ... padded with zeros as needed" (1.2 == 1.2.0).
    assert version_key(one) == version_key(same)


def test_text_the_vendor_tool_never_writes_is_still_ordered_without_failing() -> None:
    assert version_key("1.x.3") == version_key("1.0.3") < version_key("1.1")
    assert version_key("") < version_key("0.0.1")
