"""Checks of a policy's configuration, phrased for the user who has to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import DELAY_UNITS

# Rough length of a unit, only to compare delays given in different units.
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}


@dataclass(frozen=True)
class LevelConfig:
    name: str
    delay: int
    delay_unit: str
    has_template: bool
    minimum_gap_days: int = 0
    minimum_amount: float = 0.0


def approximate_days(delay: int, unit: str) -> int:
    return delay * _UNIT_DAYS[unit]


def policy_problems(policy_name: str, levels: list[LevelConfig]) -> list[str]:
    """Every problem of the policy's levels (given in escalation order), each with its fix."""
    if not levels:
        return [f'Policy "{policy_name}" has no levels: add at least one level with a delay '
                "and an email template."]
    problems = []
    previous = None
    for level in levels:
        where = f'Policy "{policy_name}", level "{level.name}"'
        if level.delay_unit not in DELAY_UNITS:
            problems.append(f"{where}: unknown delay unit {level.delay_unit!r}; use day, week or month.")
            continue
        if level.delay < 0:
            problems.append(f"{where}: the delay is {level.delay}; set 0 or more "
                            "(it counts after the due date).")
        if level.minimum_gap_days < 0:
            problems.append(f"{where}: the minimum gap is {level.minimum_gap_days} days; set 0 or more.")
        if level.minimum_amount < 0:
            problems.append(f"{where}: the minimum amount is negative; set 0 or more.")
        if not level.has_template:
            problems.append(f"{where}: no email template; choose the template this level sends.")
        if previous is not None and approximate_days(level.delay, level.delay_unit) <= approximate_days(
            previous.delay, previous.delay_unit
        ):
            problems.append(
                f'{where} comes after "{previous.name}" but its delay ({level.delay} '
                f'{level.delay_unit}(s)) is not later than {previous.delay} {previous.delay_unit}(s); '
                "give each level a longer delay than the one before, or reorder the levels."
            )
        previous = level
    return problems
