"""Template experiments in the core: the seeded draw and the two-proportion test."""

import math
from datetime import date
from statistics import NormalDist

import pytest

from odoo_automated_dunning.core.stats import (
    ALPHA,
    MIN_REMINDERS_PER_ARM,
    VERDICT_NOT_SIGNIFICANT,
    VERDICT_SINGLE,
    VERDICT_TOO_FEW,
    VERDICT_WINNER,
    Arm,
    compare,
    draw,
    draw_key,
    two_proportion_test,
)


def test_textbook_example_two_cities():
    # 168 of 300 voters in one city, 96 of 200 in the other: z = 1.755, two-sided p = 0.0792
    # (published worked example, pooled proportion 0.528).
    test = two_proportion_test(168, 300, 96, 200)
    assert round(test.z, 3) == 1.755
    assert round(test.p_value, 4) == 0.0792


def test_against_an_independent_computation():
    # The 2x2 table's Pearson chi-square (no continuity correction) is z squared; the
    # p-value from the standard normal distribution of the standard library.
    paid_a, n_a, paid_b, n_b = 45, 120, 30, 130
    table = [[paid_a, n_a - paid_a], [paid_b, n_b - paid_b]]
    total = n_a + n_b
    columns = [paid_a + paid_b, total - paid_a - paid_b]
    chi2 = sum(
        (table[row][col] - rows * columns[col] / total) ** 2 / (rows * columns[col] / total)
        for row, rows in enumerate((n_a, n_b))
        for col in range(2)
    )
    test = two_proportion_test(paid_a, n_a, paid_b, n_b)
    assert test.z == pytest.approx(math.sqrt(chi2), rel=1e-12)
    assert test.p_value == pytest.approx(2 * (1 - NormalDist().cdf(math.sqrt(chi2))), rel=1e-9)
    # The classic critical values: |z| = 1.96 is p = 0.05, |z| = 2.576 is p = 0.01.
    assert math.erfc(1.959964 / math.sqrt(2)) == pytest.approx(0.05, abs=1e-6)


def test_symmetric_and_no_evidence_without_variation():
    a = two_proportion_test(40, 100, 20, 100)
    b = two_proportion_test(20, 100, 40, 100)
    assert a.z == pytest.approx(-b.z) and a.p_value == pytest.approx(b.p_value)
    assert two_proportion_test(0, 50, 0, 60).p_value == 1.0
    assert two_proportion_test(50, 50, 60, 60).p_value == 1.0
    assert two_proportion_test(0, 0, 3, 10).p_value == 1.0
    with pytest.raises(ValueError):
        two_proportion_test(11, 10, 3, 10)


def test_draw_is_deterministic_and_follows_the_weights():
    keys = [draw_key(partner, 7, date(2026, 5, 4)) for partner in range(1, 20001)]
    first = [draw(key, [3, 1]) for key in keys]
    assert first == [draw(key, [3, 1]) for key in reversed(keys)][::-1]
    share = first.count(0) / len(first)
    # Binomial sd at p = 0.75, n = 20000 is 0.0031: four of them either side.
    assert abs(share - 0.75) < 4 * math.sqrt(0.75 * 0.25 / len(first))
    thirds = [draw(key, [1, 1, 1]) for key in keys]
    for index in range(3):
        assert abs(thirds.count(index) / len(keys) - 1 / 3) < 0.015
    # Another run date is another draw for the same customer.
    other_day = [draw(draw_key(p, 7, date(2026, 5, 5)), [3, 1]) for p in range(1, 20001)]
    assert other_day != first


def test_draw_refuses_no_or_non_positive_weights():
    with pytest.raises(ValueError):
        draw("k", [])
    with pytest.raises(ValueError):
        draw("k", [1, 0])


def test_winner_only_when_significant_and_enough_reminders():
    # 60% against 30% of 60 each: p < 0.001.
    verdict = compare([Arm("A", 60, 18), Arm("B", 60, 36)])
    assert verdict.kind == VERDICT_WINNER and verdict.winner == "B"
    assert verdict.tests["A"].p_value < ALPHA
    # The same shares over too few reminders: no winner yet.
    few = MIN_REMINDERS_PER_ARM - 1
    verdict = compare([Arm("A", few, few // 3), Arm("B", 60, 36)])
    assert verdict.kind == VERDICT_TOO_FEW and verdict.winner is None and verdict.best == "B"
    # A small difference over many: not significant.
    verdict = compare([Arm("A", 100, 40), Arm("B", 100, 45)])
    assert verdict.kind == VERDICT_NOT_SIGNIFICANT and verdict.winner is None
    assert compare([Arm("A", 100, 40)]).kind == VERDICT_SINGLE


def test_three_variants_are_held_to_a_corrected_level():
    # Best against each: p of about 0.04 would pass alone but not at 0.05 / 2.
    arms = [Arm("A", 200, 80), Arm("B", 200, 100), Arm("C", 200, 60)]
    verdict = compare(arms)
    assert verdict.alpha == pytest.approx(0.025)
    assert 0.025 < verdict.tests["A"].p_value < 0.05
    assert verdict.kind == VERDICT_NOT_SIGNIFICANT
    verdict = compare([Arm("A", 200, 60), Arm("B", 200, 110), Arm("C", 200, 60)])
    assert verdict.kind == VERDICT_WINNER and verdict.winner == "B"
