"""Parsing what customers send: hostile values give None, never an exception."""

import time
from datetime import date

import pytest

from odoo_automated_dunning.core import inputs

HOSTILE = [
    None,
    "",
    "²",
    "٣",
    "１",
    "-1",
    "0",
    "1.5",
    " 7",
    "7\x00",
    "2147483648",
    "99999999999999999999",
    "x" * 10_000,
    True,
    -3,
    2**31,
    ["1"],
    {"id": 1},
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_are_refused(value):
    assert inputs.parse_id(value) is None


def test_plain_ids_parse():
    assert inputs.parse_id("42") == 42
    assert inputs.parse_id(42) == 42
    assert inputs.parse_id(str(inputs.MAX_ID)) == inputs.MAX_ID


def test_id_lists_refuse_one_bad_id_and_too_many():
    assert inputs.parse_ids(["1", "2", "2"]) == {1, 2}
    assert inputs.parse_ids([]) == set()
    assert inputs.parse_ids(["1", "²"]) is None
    assert inputs.parse_ids([str(i) for i in range(1, inputs.MAX_IDS + 2)]) is None


@pytest.mark.parametrize("token", ["é", "\x00", "a" * 10_000, "", None, 12, "\ud800", "abc"])
def test_tokens_compare_safely_whatever_they_are(token):
    assert inputs.token_matches("a" * 64, token) is False


def test_the_right_token_matches_and_an_empty_secret_never_does():
    assert inputs.token_matches("0f" * 32, "0f" * 32)
    assert not inputs.token_matches("", "")
    assert not inputs.token_matches(None, "x")


def test_counts_are_bounded():
    assert inputs.parse_count("12", 36) == 12
    for value in ("0", "-3", "37", "20000", "²", "", None, "1e3", "3\x00"):
        assert inputs.parse_count(value, 36) is None


def test_text_without_nul_within_its_limit():
    assert inputs.parse_text("  hello ") == "hello"
    assert inputs.parse_text(None) == ""
    assert inputs.parse_text("a\x00b") is None
    assert inputs.parse_text("x" * 10_000) is None
    assert inputs.parse_text("x" * 300, max_length=inputs.MAX_NAME_LENGTH) is None
    assert inputs.parse_text(["list"]) is None


def test_payment_targets_are_known_shapes_only():
    assert inputs.parse_payment_target("plan7") == ("plan", 7)
    assert inputs.parse_payment_target("i3_4_4") == ("invoices", {3, 4})
    for target in ("planabc", "plan", "plan-1", "plan²", "i", "i1__2", "i1_x", "x7", "plan0"):
        assert inputs.parse_payment_target(target) is None, target
    assert inputs.parse_payment_target("i" + "_".join(["1"] * (inputs.MAX_IDS + 1))) is None


def test_a_huge_target_is_refused_without_unbounded_work():
    # A bound on hostile input (CPU time of this process, not the machine's load), not a speed
    # measure (timings are for bench/).
    start = time.process_time()
    assert inputs.parse_payment_target("i" + "1_" * 100_000) is None
    assert time.process_time() - start < 0.5


def test_dates_within_range():
    today = date(2026, 6, 1)
    assert inputs.date_in_range(today, today)
    assert inputs.date_in_range(None, today)
    assert inputs.date_in_range(date(2027, 6, 1), today)
    assert not inputs.date_in_range(date(9999, 12, 1), today)
    assert not inputs.date_in_range(date(1999, 12, 31), today)


def test_token_shapes():
    assert inputs.parse_token("abc-123_DEF") == "abc-123_DEF"
    for token in ("é", "a b", "a\x00", "x" * 129, "", None, 5):
        assert inputs.parse_token(token) is None
