"""The configuration problems a user is told about before a policy can send anything."""

import pytest

from odoo_automated_dunning.core import LevelConfig, policy_problems


def _level(name, delay, unit="day", **values):
    values.setdefault("has_template", True)
    return LevelConfig(name=name, delay=delay, delay_unit=unit, **values)


CORRECT = [
    _level("Friendly reminder", 7),
    _level("Second reminder", 3, "week", minimum_gap_days=5),
    _level("Formal notice", 1, "month", minimum_gap_days=7, minimum_amount=50.0),
    _level("Final notice", 2, "month", minimum_gap_days=7, minimum_amount=50.0),
]


def test_a_correct_policy_has_no_problems():
    assert policy_problems("Standard", CORRECT) == []


def test_a_single_level_with_zero_delay_is_fine():
    assert policy_problems("Immediate", [_level("Reminder", 0)]) == []


def test_a_policy_without_levels_is_told_to_add_one():
    (problem,) = policy_problems("Standard", [])
    assert '"Standard"' in problem
    assert "no levels" in problem
    assert "add at least one level" in problem


@pytest.mark.parametrize(
    ("level", "what", "fix"),
    [
        (_level("Reminder", -3), "the delay is -3", "set 0 or more"),
        (_level("Reminder", 5, minimum_gap_days=-2), "the minimum gap is -2 days", "set 0 or more"),
        (
            _level("Reminder", 5, minimum_amount=-10.0),
            "minimum amount is negative",
            "set 0 or more",
        ),
        (_level("Reminder", 5, has_template=False), "no email template", "choose the template"),
        (
            _level("Reminder", 5, "fortnight"),
            "unknown delay unit 'fortnight'",
            "day, week or month",
        ),
    ],
    ids=["negative_delay", "negative_gap", "negative_amount", "no_template", "unknown_unit"],
)
def test_each_level_problem_names_the_policy_and_level_and_says_the_fix(level, what, fix):
    (problem,) = policy_problems("Standard", [level])
    assert problem.startswith('Policy "Standard", level "Reminder"')
    assert what in problem
    assert fix in problem


def test_every_problem_of_a_level_is_reported():
    level = _level("Reminder", -1, minimum_gap_days=-1, minimum_amount=-1.0, has_template=False)
    problems = policy_problems("Standard", [level])
    assert len(problems) == 4
    assert all(problem.startswith('Policy "Standard", level "Reminder"') for problem in problems)


def test_problems_of_several_levels_each_name_their_level():
    levels = [_level("First", 5, has_template=False), _level("Second", 10, has_template=False)]
    problems = policy_problems("Standard", levels)
    assert [problem.split(":")[0] for problem in problems] == [
        'Policy "Standard", level "First"',
        'Policy "Standard", level "Second"',
    ]


@pytest.mark.parametrize(
    ("previous", "level", "in_order"),
    [
        (_level("A", 10), _level("B", 15), True),
        (_level("A", 10), _level("B", 10), False),  # same day: not later
        (_level("A", 10), _level("B", 5), False),
        (_level("A", 10), _level("B", 2, "week"), True),  # 14 days after 10
        (_level("A", 10), _level("B", 1, "week"), False),  # 7 days after 10
        (_level("A", 7), _level("B", 1, "week"), False),  # the same delay in other words
        # A month can be 28 days: it is not surely later than 4 weeks, nor 1 month than 29 days.
        (_level("A", 4, "week"), _level("B", 1, "month"), False),
        (_level("A", 29), _level("B", 1, "month"), False),
        (_level("A", 27), _level("B", 1, "month"), True),
        (_level("A", 3, "week"), _level("B", 1, "month"), True),
        (_level("A", 1, "month"), _level("B", 4, "week"), False),
        (_level("A", 1, "month"), _level("B", 45), True),
        (_level("A", 2, "month"), _level("B", 1, "month"), False),
    ],
)
def test_levels_must_come_later_and_later_across_units(previous, level, in_order):
    problems = policy_problems("Standard", [previous, level])
    if in_order:
        assert problems == []
    else:
        (problem,) = problems
        assert problem.startswith('Policy "Standard", level "B" comes after "A"')
        assert f"({level.delay} {level.delay_unit}(s))" in problem
        assert f"not later than {previous.delay} {previous.delay_unit}(s)" in problem
        assert "give each level a longer delay than the one before, or reorder" in problem


def test_each_level_is_compared_with_the_one_just_before():
    levels = [_level("A", 5), _level("B", 20), _level("C", 10), _level("D", 15)]
    problems = policy_problems("Standard", levels)
    # C is before B; D is later than C, so it is fine even though B is later still.
    assert len(problems) == 1
    assert problems[0].startswith('Policy "Standard", level "C" comes after "B"')


def test_a_level_with_an_unknown_unit_is_left_out_of_the_order_check():
    levels = [_level("A", 10), _level("B", 5, "fortnight"), _level("C", 7)]
    problems = policy_problems("Standard", levels)
    assert len(problems) == 2
    assert "unknown delay unit 'fortnight'" in problems[0]
    assert problems[1].startswith('Policy "Standard", level "C" comes after "A"')


def test_an_unknown_unit_does_not_hide_the_levels_other_problems():
    level = _level("Reminder", 5, "fortnight", has_template=False, minimum_gap_days=-1)
    problems = policy_problems("Standard", [level])
    assert len(problems) == 3
    assert any("no email template" in problem for problem in problems)
    assert any("minimum gap is -1 days" in problem for problem in problems)
