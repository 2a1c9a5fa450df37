"""Checks of a policy's configuration, phrased for the user who has to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import DELAY_UNITS

# Shortest and longest length of a unit in days, to compare delays given in different units.
_UNIT_DAYS = {"day": (1, 1), "week": (7, 7), "month": (28, 31)}


@dataclass(frozen=True)
class LevelConfig:
    name: str
    delay: int
    delay_unit: str
    has_template: bool
    minimum_gap_days: int = 0
    minimum_amount: float = 0.0
    channels: tuple[str, ...] = ("email",)
    has_sms_template: bool = False


def delay_days(delay: int, unit: str) -> tuple[int, int]:
    """The shortest and the longest the delay can be, in days."""
    shortest, longest = _UNIT_DAYS[unit]
    return delay * shortest, delay * longest


def policy_problems(policy_name: str, levels: list[LevelConfig]) -> list[str]:
    """Every problem of the policy's levels (given in escalation order), each with its fix."""
    if not levels:
        return [
            f'Policy "{policy_name}" has no levels: add at least one level with a delay '
            "and an email template."
        ]
    problems = []
    previous = None
    for level in levels:
        where = f'Policy "{policy_name}", level "{level.name}"'
        known_unit = level.delay_unit in DELAY_UNITS
        if not known_unit:
            problems.append(
                f"{where}: unknown delay unit {level.delay_unit!r}; use day, week or month."
            )
        if level.delay < 0:
            problems.append(
                f"{where}: the delay is {level.delay}; set 0 or more "
                "(it counts after the due date)."
            )
        if level.minimum_gap_days < 0:
            problems.append(
                f"{where}: the minimum gap is {level.minimum_gap_days} days; set 0 or more."
            )
        if level.minimum_amount < 0:
            problems.append(f"{where}: the minimum amount is negative; set 0 or more.")
        if "email" in level.channels and not level.has_template:
            problems.append(f"{where}: no email template; choose the template this level sends.")
        if "sms" in level.channels and not level.has_sms_template:
            problems.append(
                f"{where}: sends SMS but has no SMS template; choose one or remove the SMS channel."
            )
        # A later level must fall due after the one before it, whatever the month's length.
        if (
            known_unit
            and previous is not None
            and delay_days(level.delay, level.delay_unit)[0]
            <= delay_days(previous.delay, previous.delay_unit)[1]
        ):
            problems.append(
                f'{where} comes after "{previous.name}" but its delay ({level.delay} '
                f"{level.delay_unit}(s)) is not later than {previous.delay} {previous.delay_unit}(s); "
                "give each level a longer delay than the one before, or reorder the levels."
            )
        if known_unit:
            previous = level
    return problems
