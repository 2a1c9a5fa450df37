"""Template experiments: the seeded draw of a variant and the test that names a winner.

A level may carry several email templates ("variants") with weights. Each reminder draws one
in proportion to the weights, from a key that names the reminder (customer, level, run date):
the same reminder always draws the same variant, whatever the batch order or the worker.

Variants are compared on the share of reminders fully paid within 30 days, by a pooled
two-proportion z-test. With more than two variants the best one is tested against each of the
others, at a level divided by the number of comparisons (Bonferroni), so that naming a winner
among many variants is no likelier by chance than with two.
"""

import hashlib
import math
from dataclasses import dataclass

# A winner is named only below this two-sided p-value...
ALPHA = 0.05
# ... and only once every variant has at least this many reminders measured (whose 30-day
# window has closed). Below it the normal approximation behind the z-test is poor for the
# share paid that dunning sees (often 20-60%), and one lucky week decides.
MIN_REMINDERS_PER_ARM = 30
# Days after the reminder that the comparison measures: a reminder counts once they passed.
WINDOW_DAYS = 30

VERDICT_WINNER = "winner"
VERDICT_NOT_SIGNIFICANT = "not_significant"
VERDICT_TOO_FEW = "too_few"
VERDICT_SINGLE = "single"


def draw(key, weights):
    """Index of the variant drawn for ``key`` (a string naming the reminder), in proportion
    to ``weights`` (positive numbers). Deterministic: SHA-256 of the key, not Python's
    per-process ``hash``, gives the uniform number in [0, 1)."""
    if not weights:
        raise ValueError("no variant to draw from")
    if any(weight <= 0 for weight in weights):
        raise ValueError("every weight must be positive")
    digest = hashlib.sha256(key.encode()).digest()
    uniform = int.from_bytes(digest[:8], "big") / 2**64
    target = uniform * sum(weights)
    running = 0.0
    for index, weight in enumerate(weights):
        running += weight
        if target < running:
            return index
    return len(weights) - 1  # rounding at the very top


def draw_key(partner_id, level_id, day):
    """The key of one reminder: its customer, its level and the run's date."""
    return f"{partner_id}:{level_id}:{day.isoformat()}"


@dataclass(frozen=True)
class ProportionTest:
    z: float
    p_value: float


def two_proportion_test(successes_a, total_a, successes_b, total_b):
    """Pooled two-proportion z-test of "A and B succeed equally often", two-sided.

    z = (pA - pB) / sqrt(p (1 - p) (1/nA + 1/nB)) with p the pooled share; the p-value is
    P(|Z| >= |z|) = erfc(|z| / sqrt 2). Without data or without any variation (all paid or
    none paid in both), there is no evidence of a difference: z 0, p-value 1.
    """
    for successes, total in ((successes_a, total_a), (successes_b, total_b)):
        if total < 0 or not 0 <= successes <= total:
            raise ValueError(f"{successes} successes out of {total} trials")
    if not total_a or not total_b:
        return ProportionTest(0.0, 1.0)
    pooled = (successes_a + successes_b) / (total_a + total_b)
    variance = pooled * (1 - pooled) * (1 / total_a + 1 / total_b)
    if variance <= 0:
        return ProportionTest(0.0, 1.0)
    z = (successes_a / total_a - successes_b / total_b) / math.sqrt(variance)
    return ProportionTest(z, math.erfc(abs(z) / math.sqrt(2)))


@dataclass(frozen=True)
class Arm:
    """One variant's measured reminders and how many of them were fully paid in the window."""

    key: object
    reminders: int
    paid: int

    @property
    def share(self):
        return self.paid / self.reminders if self.reminders else 0.0


@dataclass(frozen=True)
class Verdict:
    kind: str  # VERDICT_*
    best: object  # key of the arm with the highest share (None without reminders)
    winner: object  # key of the winner, None unless kind is VERDICT_WINNER
    tests: dict  # key of each other arm: ProportionTest of the best against it
    alpha: float  # the level each comparison is held to (Bonferroni-corrected)


def compare(arms, alpha=ALPHA, min_reminders=MIN_REMINDERS_PER_ARM):
    """Test the best arm against each other one; name it the winner only when every test is
    significant at ``alpha`` / (number of comparisons) and every arm has ``min_reminders``."""
    arms = list(arms)
    if len(arms) < 2:
        best = arms[0].key if arms else None
        return Verdict(VERDICT_SINGLE, best, None, {}, alpha)
    ranked = sorted(arms, key=lambda arm: arm.share, reverse=True)
    best = ranked[0] if ranked[0].reminders else None
    per_test = alpha / (len(arms) - 1)
    tests = (
        {
            arm.key: two_proportion_test(best.paid, best.reminders, arm.paid, arm.reminders)
            for arm in ranked[1:]
        }
        if best
        else {}
    )
    best_key = best.key if best else None
    if best is None or any(arm.reminders < min_reminders for arm in arms):
        return Verdict(VERDICT_TOO_FEW, best_key, None, tests, per_test)
    # A tie for the best share is no winner, whatever the p-value says.
    if ranked[1].share < best.share and all(test.p_value < per_test for test in tests.values()):
        return Verdict(VERDICT_WINNER, best_key, best_key, tests, per_test)
    return Verdict(VERDICT_NOT_SIGNIFICANT, best_key, None, tests, per_test)
