"""Enrolment codes on the vendor's side (vendor_server/enrolment.py): made for one shop, spent once, within 72 h,
throttled, audited; redeeming one gives the shop a new token and takes the old one away."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from pmv_protocol.enrolment_codes import ALPHABET, display, with_check
from pmv_protocol.enrolment_wire import EnrolRefusal
from tests.helpers import FixedClock, at_once
from vendor_server import enrolment
from vendor_server.console.audit import Action, Outcome, entries
from vendor_server.db import VendorDatabase
from vendor_server.enrolment import PER_CODE, CodeState, Enrolled, EnrolRefused, create_code, latest_code, redeem
from vendor_server.enrolment_tables import EnrolmentAttempt, EnrolmentCodeRow
from vendor_server.shop_registry import ShopDetails, ShopExists, register_shop, shop_details, update_shop

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 09:00 in the shop
HERE = "203.0.113.7"
ELSEWHERE = "198.51.100.9"


@pytest.fixture
def db(db: VendorDatabase) -> VendorDatabase:
    """The vendor database (tests/unit/vendor_server/conftest.py) with two shops."""
    db.add_shop("KP-0001", "Tiệm vàng Kim Phát", address="12 Lê Lợi, Quận 1, TP.HCM", phone="0283 999 1234")
    db.add_shop("BT-0002", "Tiệm vàng Bảo Tín", address="5 Trần Hưng Đạo, Quận 5", phone="0283 888 5678")
    return db


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _refusal(db: VendorDatabase, code: str, now: dt.datetime, address: str = HERE) -> EnrolRefused:
    with pytest.raises(EnrolRefused) as refused:
        redeem(db, code, address=address, now=now)
    return refused.value


def _token_works(db: VendorDatabase, token: str) -> str | None:
    with db.sessions() as session:
        shop = db.shop_for_token(session, token)
        return None if shop is None else shop.shop_id


def _wrong(code: str, position: int) -> str:
    """``code`` with its character at ``position`` (1-based) replaced by another of the alphabet."""
    index = position - 1
    other = ALPHABET[(ALPHABET.index(code[index]) + 7) % len(ALPHABET)]
    return code[:index] + other + code[index + 1:]


# --- a good code -------------------------------------------------------------------------------------------------

def test_a_good_code_gives_the_shop_a_new_token_and_the_old_one_stops_working(db: VendorDatabase) -> None:
    old_token = db.add_shop("KP-0001", "Tiệm vàng Kim Phát")  # the shop's first PC, before its disk failed
    document = json.dumps({"payload": {"shop_id": "KP-0001", "contract_number": "HD-KP-0001-001"},
                           "signatures": [{"keyid": "k", "sig": "s"}]}, ensure_ascii=False)
    db.store_contract("KP-0001", document, T0)
    issued = create_code(db, "KP-0001", now=T0, created_by="phamlan")
    assert issued.shop_id == "KP-0001" and issued.expires_at == T0 + dt.timedelta(hours=72)
    assert len(issued.shown) == 11 and issued.shown[5] == "-"

    # Typed as a person reads it off a phone: in lower case, with the dash and a space.
    enrolled = redeem(db, f" {display(issued.code).lower()} ", address=HERE, now=T0 + dt.timedelta(hours=1))

    assert (enrolled.shop_id, enrolled.name, enrolled.address, enrolled.phone) == (
        "KP-0001", "Tiệm vàng Kim Phát", "12 Lê Lợi, Quận 1, TP.HCM", "0283 999 1234")
    assert enrolled.contract == json.loads(document)  # as GET /api/v1/contract serves it
    assert _token_works(db, enrolled.token) == "KP-0001"
    assert _token_works(db, old_token) is None
    status = latest_code(db, "KP-0001", now=T0 + dt.timedelta(hours=2))
    assert status is not None and status.state is CodeState.USED
    assert status.used_at == T0 + dt.timedelta(hours=1) and status.used_from == HERE


def test_a_shop_without_a_contract_enrols_with_none(db: VendorDatabase) -> None:
    issued = create_code(db, "BT-0002", now=T0, created_by="cli")
    assert redeem(db, issued.code, address=HERE, now=T0).contract is None


def test_only_the_codes_hash_is_stored(db: VendorDatabase) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    redeem(db, issued.code, address=HERE, now=T0)
    with db.engine.connect() as connection:
        stored = [str(value) for table in ("enrolment_codes", "enrolment_attempts", "console_audit")
                  for row in connection.exec_driver_sql(f"SELECT * FROM {table}") for value in row]
    assert not any(issued.code in value or issued.shown in value for value in stored)
    with db.sessions() as session:
        assert session.scalar(select(EnrolmentCodeRow.code_hash)) == enrolment.hash_code(issued.code)


def test_a_code_opens_only_the_shop_it_was_made_for(db: VendorDatabase) -> None:
    token_b = db.add_shop("BT-0002", "Tiệm vàng Bảo Tín")
    for_a = create_code(db, "KP-0001", now=T0, created_by="phamlan")
    for_b = create_code(db, "BT-0002", now=T0, created_by="phamlan")
    enrolled = redeem(db, for_a.code, address=HERE, now=T0)
    assert enrolled.shop_id == "KP-0001" and enrolled.name == "Tiệm vàng Kim Phát"
    assert _token_works(db, token_b) == "BT-0002"  # B's install is untouched
    assert redeem(db, for_b.code, address=HERE, now=T0).shop_id == "BT-0002"


# --- refusals ----------------------------------------------------------------------------------------------------

def test_a_second_use_is_refused_and_audited(db: VendorDatabase) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="phamlan")
    first = redeem(db, issued.code, address=HERE, now=T0)
    refused = _refusal(db, issued.code, T0 + dt.timedelta(minutes=5), address=ELSEWHERE)
    assert refused.refusal is EnrolRefusal.USED and refused.position is None and refused.retry_after is None
    assert _token_works(db, first.token) == "KP-0001"  # the refusal took nothing from the first install

    [again] = entries(db, action=Action.ENROL_REFUSED)
    assert (again.outcome, again.login, again.address, again.shop_id) == (Outcome.REFUSED, "-", ELSEWHERE, "KP-0001")
    assert again.detail is not None and again.detail.startswith("used") and HERE in again.detail
    [done] = entries(db, action=Action.ENROL)
    assert (done.outcome, done.login, done.address, done.shop_id) == (Outcome.OK, "-", HERE, "KP-0001")
    assert done.detail is not None and "phamlan" in done.detail
    [made] = entries(db, action=Action.ENROL_CODE)
    assert (made.login, made.shop_id) == ("phamlan", "KP-0001")


def test_a_code_works_until_72_hours_and_not_after(db: VendorDatabase) -> None:
    early, late = (create_code(db, shop, now=T0, created_by="cli") for shop in ("KP-0001", "BT-0002"))
    assert redeem(db, early.code, address=HERE, now=T0 + dt.timedelta(hours=72, seconds=-1)).shop_id == "KP-0001"
    refused = _refusal(db, late.code, T0 + dt.timedelta(hours=72, seconds=1))
    assert refused.refusal is EnrolRefusal.EXPIRED
    [audited] = entries(db, action=Action.ENROL_REFUSED)
    assert audited.shop_id == "BT-0002" and audited.detail is not None and audited.detail.startswith("expired")
    status = latest_code(db, "BT-0002", now=T0 + dt.timedelta(hours=73))
    assert status is not None and status.state is CodeState.EXPIRED


def test_a_well_formed_code_nobody_was_given_is_unknown(db: VendorDatabase) -> None:
    assert _refusal(db, with_check("ABCDEFGH"), T0).refusal is EnrolRefusal.UNKNOWN
    assert entries(db, action=Action.ENROL_REFUSED) == []  # guesses are counted, not audited one by one


@pytest.mark.parametrize("position", [1, 3, 7, 10])
def test_a_code_with_one_wrong_character_is_refused_naming_it(db: VendorDatabase, position: int) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    refused = _refusal(db, display(_wrong(issued.code, position)), T0)
    assert (refused.refusal, refused.position) == (EnrolRefusal.FORMAT, position)
    assert str(position) in refused.message
    assert redeem(db, issued.code, address=HERE, now=T0).shop_id == "KP-0001"  # the real code still works


@pytest.mark.parametrize(("typed", "position"), [("ABCDE", None), ("ABCDE-FGHJK-M", None), ("ABC!E-FGHJK", 4)])
def test_text_that_is_no_code_is_refused_as_format(db: VendorDatabase, typed: str, position: int | None) -> None:
    refused = _refusal(db, typed, T0)
    assert (refused.refusal, refused.position) == (EnrolRefusal.FORMAT, position)


def test_a_code_pasted_from_a_chat_redeems(db: VendorDatabase) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    pasted = "\u201c" + display(issued.code).replace("-", "\u2013\u00a0") + "\u201d."  # “ABCDE– FGHJK”.
    assert redeem(db, pasted, address=HERE, now=T0).shop_id == "KP-0001"


def test_a_code_typed_with_a_vietnamese_input_method_on_is_refused_saying_so(db: VendorDatabase) -> None:
    refused = _refusal(db, "Đ4KM-7NPQC", T0)  # Unikey's Telex made Đ of DD
    assert (refused.refusal, refused.position) == (EnrolRefusal.FORMAT, 1)
    assert "Vietnamese input method" in refused.message and "likely wrong" not in refused.message


def test_a_newer_code_makes_the_older_unusable(db: VendorDatabase) -> None:
    older = create_code(db, "KP-0001", now=T0, created_by="thuha")
    newer = create_code(db, "KP-0001", now=T0 + dt.timedelta(minutes=10), created_by="tranminh")
    status = latest_code(db, "KP-0001", now=T0 + dt.timedelta(minutes=11))
    assert status is not None and status.state is CodeState.OUTSTANDING and status.created_by == "tranminh"
    assert _refusal(db, older.code, T0 + dt.timedelta(minutes=20)).refusal is EnrolRefusal.EXPIRED
    [audited] = entries(db, action=Action.ENROL_REFUSED)
    assert audited.detail is not None and audited.detail.startswith("replaced")
    assert redeem(db, newer.code, address=HERE, now=T0 + dt.timedelta(minutes=21)).shop_id == "KP-0001"


def test_a_used_code_is_not_replaced_and_stays_used(db: VendorDatabase) -> None:
    used = create_code(db, "KP-0001", now=T0, created_by="cli")
    redeem(db, used.code, address=HERE, now=T0)
    create_code(db, "KP-0001", now=T0 + dt.timedelta(minutes=1), created_by="cli")
    assert _refusal(db, used.code, T0 + dt.timedelta(minutes=2)).refusal is EnrolRefusal.USED


def test_a_code_for_an_unknown_shop_cannot_be_made(db: VendorDatabase) -> None:
    with pytest.raises(LookupError):
        create_code(db, "NO-SUCH-SHOP", now=T0, created_by="cli")
    assert latest_code(db, "KP-0001", now=T0) is None


def test_two_redeems_of_one_code_at_once_give_exactly_one_token(db: VendorDatabase) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    # No more racers than a code's tries allowed in the window: on a loaded machine the threads may run one after
    # another, and a sixth try would then rightly be throttled (it was, once, in a full run on two busy cores).
    racers = PER_CODE
    tokens: list[str] = []
    refusals: list[EnrolRefusal] = []

    def race(index: int) -> None:
        try:
            tokens.append(redeem(db, issued.code, address=f"10.0.0.{index}", now=T0).token)
        except EnrolRefused as refused:
            refusals.append(refused.refusal)

    at_once(racers, race)  # any other exception fails the test there
    assert len(tokens) == 1 and refusals == [EnrolRefusal.USED] * (racers - 1)
    assert _token_works(db, tokens[0]) == "KP-0001"
    assert len(entries(db, action=Action.ENROL)) == 1


def _retried_while_the_first_commits(database: VendorDatabase, same_key: bool) -> tuple[Enrolled, Enrolled | str]:
    """An install's try spends the code; before it commits, a second try of the code (the same install pressing
    Enter again, or asking again after its client timed out, or another install) reads it still unused and
    reaches its own UPDATE.  Returns the first's answer and the second's (or its refusal and audit detail).

    Real transactions, ordered by the database's own events: the first holds its commit until the second's
    UPDATE of the code is on its way, which then waits for the first's lock (SQLite's write lock, PostgreSQL's
    row lock) and finds the code spent."""
    issued = create_code(database, "KP-0001", now=T0, created_by="cli")
    first_key = str(uuid.uuid4())
    second_key = first_key if same_key else str(uuid.uuid4())
    first_spent, second_updates = threading.Event(), threading.Event()

    def before_commit(_session: Any) -> None:
        if threading.current_thread().name == "first":
            first_spent.set()
            assert second_updates.wait(20), "the second try never reached its UPDATE"

    def before_statement(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if threading.current_thread().name == "second" and statement.lstrip().startswith("UPDATE enrolment_codes"):
            second_updates.set()

    event.listen(database.sessions, "before_commit", before_commit)
    event.listen(database.engine, "before_cursor_execute", before_statement)
    answers: dict[str, Enrolled | str] = {}

    def redeem_as(name: str, key: str, address: str) -> None:
        try:
            answers[name] = redeem(database, display(issued.code), address=address, now=T0, replay_key=key)
        except EnrolRefused as refused:
            answers[name] = str(refused.refusal)

    first = threading.Thread(target=redeem_as, args=("first", first_key, HERE), name="first")
    second = threading.Thread(target=redeem_as, args=("second", second_key, HERE if same_key else ELSEWHERE),
                              name="second")
    first.start()
    assert first_spent.wait(20)
    second.start()
    first.join(30)
    second.join(30)
    event.remove(database.engine, "before_cursor_execute", before_statement)
    event.remove(database.sessions, "before_commit", before_commit)
    assert isinstance(answers["first"], Enrolled), answers
    return answers["first"], answers["second"]


def test_the_same_install_asking_again_while_its_first_try_commits_gets_the_same_answer(
        db: VendorDatabase) -> None:
    """Found by review: a second POST with the same Idempotency-Key overlapping the first (Enter pressed twice, or
    a retry after a client timeout while the server was still committing) was refused "already used", so an
    enrolled shop was told to call for a new code, and the audit said "spent by a concurrent try"."""
    first, second = _retried_while_the_first_commits(db, same_key=True)
    assert isinstance(second, Enrolled) and second.token == first.token and second.shop_id == "KP-0001"
    assert _token_works(db, first.token) == "KP-0001"
    assert entries(db, action=Action.ENROL_REFUSED) == []
    sent_again = [e.detail for e in entries(db, action=Action.ENROL) if e.detail and "sent again" in e.detail]
    assert len(sent_again) == 1


def test_another_install_overlapping_the_first_try_is_refused_as_used(db: VendorDatabase) -> None:
    first, second = _retried_while_the_first_commits(db, same_key=False)
    assert second == "used" and _token_works(db, first.token) == "KP-0001"
    [refused] = entries(db, action=Action.ENROL_REFUSED)
    assert refused.address == ELSEWHERE and refused.detail == "used: spent by a concurrent try"


# --- the throttle ------------------------------------------------------------------------------------------------

def _unknown(n: int) -> str:
    return with_check(f"{n:08d}")


def test_an_address_gets_ten_failures_per_quarter_hour(db: VendorDatabase, clock: FixedClock) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    for n in range(enrolment.PER_ADDRESS):  # one a second: 0 s .. 9 s
        assert _refusal(db, _unknown(n), clock()).refusal is EnrolRefusal.UNKNOWN
        clock.advance(seconds=1)
    throttled = _refusal(db, issued.code, clock())  # even the right code: a throttled try tells nothing
    assert throttled.refusal is EnrolRefusal.THROTTLED
    assert throttled.retry_after == 15 * 60 - enrolment.PER_ADDRESS  # until the first failure, at 0 s, is 15 min old
    assert _refusal(db, _unknown(99), clock(), address=ELSEWHERE).refusal is EnrolRefusal.UNKNOWN  # others may try
    clock.advance(seconds=throttled.retry_after - 1)
    assert _refusal(db, issued.code, clock()).refusal is EnrolRefusal.THROTTLED  # one second early
    clock.advance(seconds=1)
    assert redeem(db, issued.code, address=HERE, now=clock()).shop_id == "KP-0001"


def test_throttled_tries_do_not_push_the_wait_back(db: VendorDatabase, clock: FixedClock) -> None:
    for n in range(enrolment.PER_ADDRESS):
        _refusal(db, _unknown(n), clock())
    for _ in range(5):
        clock.advance(minutes=1)
        assert _refusal(db, _unknown(50), clock()).retry_after == 15 * 60 - (clock() - T0).total_seconds()
    clock.now = T0 + enrolment.THROTTLE_WINDOW
    assert _refusal(db, _unknown(51), clock()).refusal is EnrolRefusal.UNKNOWN


def test_a_successful_enrolment_is_not_a_failure(db: VendorDatabase) -> None:
    for shop in ("KP-0001", "BT-0002") * 6:  # an office enrolling tills all day from one address
        redeem(db, create_code(db, shop, now=T0, created_by="cli").code, address=HERE, now=T0)


def test_a_code_gets_five_tries_per_quarter_hour_from_anywhere(db: VendorDatabase, clock: FixedClock) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    redeem(db, issued.code, address=HERE, now=clock())
    for n in range(enrolment.PER_CODE - 1):  # the success counts as one try of the code
        clock.advance(seconds=10)
        assert _refusal(db, issued.code, clock(), address=f"10.1.0.{n}").refusal is EnrolRefusal.USED
    clock.advance(seconds=10)
    throttled = _refusal(db, issued.code, clock(), address="10.2.0.1")
    assert throttled.refusal is EnrolRefusal.THROTTLED and throttled.retry_after == 15 * 60 - 50
    assert _refusal(db, _unknown(1), clock(), address="10.2.0.1").refusal is EnrolRefusal.UNKNOWN  # other codes: fine
    assert len(entries(db, action=Action.ENROL_REFUSED)) == enrolment.PER_CODE - 1  # throttled tries: not audited


def test_every_try_is_recorded(db: VendorDatabase) -> None:
    issued = create_code(db, "KP-0001", now=T0, created_by="cli")
    redeem(db, issued.code, address=HERE, now=T0)
    for typed in (issued.code, "12345", _unknown(3)):
        _refusal(db, typed, T0)
    with db.sessions() as session:
        outcomes = [(a.outcome, a.code_hash is not None) for a in session.scalars(
            select(EnrolmentAttempt).order_by(EnrolmentAttempt.id))]
    assert outcomes == [("ok", True), ("used", True), ("format", False), ("unknown", True)]


# --- the register of shops ---------------------------------------------------------------------------------------

def test_a_registered_shop_has_no_usable_token_until_it_enrols(db: VendorDatabase) -> None:
    added = register_shop(db, "NT-0003", "  Vàng bạc   Ngọc Thẩm ", address="7 Hai Bà Trưng", phone="0903 112 233",
                          now=T0)
    assert (added.name, added.address) == ("Vàng bạc Ngọc Thẩm", "7 Hai Bà Trưng")
    with pytest.raises(ShopExists):
        register_shop(db, "NT-0003", "Another", now=T0)
    enrolled = redeem(db, create_code(db, "NT-0003", now=T0, created_by="cli").code, address=HERE, now=T0)
    assert (enrolled.phone, _token_works(db, enrolled.token)) == ("0903 112 233", "NT-0003")


@pytest.mark.parametrize(("shop_id", "name", "address"), [
    ("", "A", ""), ("bad id", "A", ""), ("-lead", "A", ""), ("X" * 65, "A", ""), ("OK-1", " ", ""),
    ("OK-1", "A", "x" * 301)])
def test_bad_shop_details_are_refused(db: VendorDatabase, shop_id: str, name: str, address: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the CLI's, checked there
        register_shop(db, shop_id, name, address=address, now=T0)


def test_updating_a_shop_keeps_what_is_not_given(db: VendorDatabase) -> None:
    update_shop(db, "KP-0001", phone="0909 000 111")
    assert shop_details(db, "KP-0001") == ShopDetails("KP-0001", "Tiệm vàng Kim Phát", "12 Lê Lợi, Quận 1, TP.HCM",
                                                      "0909 000 111")
    with pytest.raises(LookupError):
        update_shop(db, "NO-SUCH-SHOP", phone="1")



@pytest.mark.integration
def test_the_race_is_won_once_on_postgresql_too() -> None:
    """PostgreSQL's READ COMMITTED re-checks ``used_at IS NULL`` after the winner commits: one token only."""
    with _postgres_database("enrolment") as database:
        issued = create_code(database, "KP-0001", now=T0, created_by="cli")
        outcomes: list[str] = []

        def race(index: int) -> None:
            try:
                redeem(database, issued.code, address=f"10.0.0.{index}", now=T0)
                outcomes.append("ok")
            except EnrolRefused as refused:
                outcomes.append(str(refused.refusal))

        at_once(8, race)
        assert sorted(outcomes) == ["ok"] + ["used"] * 7


@contextlib.contextmanager
def _postgres_database(name: str) -> Iterator[VendorDatabase]:
    """A fresh vendor database on a throw-away PostgreSQL cluster, holding the shop KP-0001."""
    from tests.pg_cluster import cluster

    with cluster() as pg:
        with pg.admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        database = VendorDatabase(pg.url(name))
        try:
            database.add_shop("KP-0001", "Tiệm vàng Kim Phát")
            yield database
        finally:
            database.engine.dispose()


@pytest.mark.integration
def test_the_same_install_asking_again_while_its_first_try_commits_gets_the_same_answer_on_postgresql() -> None:
    """READ COMMITTED: the second UPDATE waits on the row lock, finds the code spent, and the row read again
    after the first's commit answers it as a replay."""
    with _postgres_database("enrolment_retry") as database:
        first, second = _retried_while_the_first_commits(database, same_key=True)
        assert isinstance(second, Enrolled) and second.token == first.token
        assert entries(database, action=Action.ENROL_REFUSED) == []
