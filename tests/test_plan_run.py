"""Which reminder each customer gets on a run date, and why the others get none."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from odoo_automated_dunning.core import (
    EXCLUDED_DISPUTED,
    EXCLUDED_NO_FOLLOWUP,
    EXCLUDED_NO_POLICY,
    EXCLUDED_NOT_OVERDUE,
    SKIP_BELOW_MINIMUM,
    SKIP_BLACKLISTED,
    SKIP_CREDIT_COVERS,
    SKIP_NO_EMAIL,
    SKIP_PAUSED,
    Customer,
    Invoice,
    Level,
    Policy,
    decide_customer,
    plan_run,
)

RUN = date(2025, 3, 1)

FRIENDLY = Level(id=1, name="Friendly reminder", delay=7, tone="friendly")
PERSUASIVE = Level(id=2, name="Second reminder", delay=14, tone="persuasive", minimum_gap_days=5)
FORMAL = Level(id=3, name="Formal notice", delay=30, tone="formal", minimum_gap_days=7)
FINAL = Level(id=4, name="Final notice", delay=45, tone="final", minimum_gap_days=7)
STANDARD = Policy(id=1, name="Standard", levels=(FRIENDLY, PERSUASIVE, FORMAL, FINAL))


def _invoice(invoice_id, due_date, customer_id=1, residual=100.0, level=None, **values):
    values.setdefault("residual_company", residual)
    values.setdefault("amount_total_company", values["residual_company"])
    return Invoice(
        id=invoice_id,
        customer_id=customer_id,
        due_date=due_date,
        residual=residual,
        currency_id=1,
        level_id=level.id if level else None,
        **values,
    )


def _customer(customer_id=1, **values):
    values.setdefault("email", "accounts@customer.example")
    values.setdefault("net_balance", 10_000.0)
    return Customer(id=customer_id, **values)


def _plan(invoices, customers=None, policies=(STANDARD,), run_date=RUN):
    return plan_run(customers or [_customer()], invoices, policies, run_date)


def _decide(invoices, customer=None, policies=(STANDARD,), run_date=RUN):
    policy_map = {policy.id: policy for policy in policies}
    return decide_customer(customer or _customer(), invoices, policy_map, run_date)


def _apply(plan, invoices, run_date=RUN):
    """The invoices as the shell leaves them after sending the plan's messages."""
    sent = {
        line.invoice.id: line.level
        for decision in plan.to_send()
        for line in decision.escalated_lines
    }
    return [
        replace(invoice, level_id=sent[invoice.id].id, last_date=run_date)
        if invoice.id in sent
        else invoice
        for invoice in invoices
    ]


def _only_decision(plan):
    assert len(plan.decisions) == 1
    return plan.decisions[0]


# Escalation, one level at a time


def test_first_reminder_is_the_first_level_even_when_old_enough_for_the_third():
    invoice = _invoice(1, RUN - timedelta(days=40))  # past the formal notice's 30 days
    decision = _only_decision(_plan([invoice]))
    assert decision.action == "send"
    assert decision.level == FRIENDLY
    assert decision.policy_id == STANDARD.id
    (line,) = decision.lines
    assert (line.previous_level, line.level, line.escalated) == (None, FRIENDLY, True)
    assert line.days_overdue == 40


def test_an_invoice_climbs_one_level_per_run():
    invoice = _invoice(1, date(2024, 12, 1), level=FRIENDLY, last_date=date(2025, 1, 1))
    decision = _only_decision(_plan([invoice]))  # old enough for the final notice
    (line,) = decision.lines
    assert (line.previous_level, line.level) == (FRIENDLY, PERSUASIVE)
    assert decision.level == PERSUASIVE


def test_a_second_plan_on_the_same_date_sends_nothing():
    invoices = [
        _invoice(1, RUN - timedelta(days=40)),
        _invoice(2, RUN - timedelta(days=60), level=FRIENDLY, last_date=RUN - timedelta(days=30)),
    ]
    first = _plan(invoices)
    assert len(first.to_send()) == 1
    again = _plan(_apply(first, invoices))
    assert again.decisions == []


def test_after_the_first_level_the_next_waits_for_the_next_run_day_and_the_gap():
    invoices = [_invoice(1, RUN - timedelta(days=40))]
    invoices = _apply(_plan(invoices), invoices)
    # The second reminder needs 5 days since the first one.
    for days in range(1, 5):
        assert _plan(invoices, run_date=RUN + timedelta(days=days)).decisions == []
    decision = _only_decision(_plan(invoices, run_date=RUN + timedelta(days=5)))
    assert decision.level == PERSUASIVE


def test_escalation_waits_for_the_minimum_gap_since_the_last_reminder():
    # Due 1 Jan: the second reminder's delay (14 days) ended long ago, but the first one
    # went out on 25 Feb and the second needs a 5-day gap: not before 2 March.
    invoice = _invoice(1, date(2025, 1, 1), level=FRIENDLY, last_date=date(2025, 2, 25))
    decision, _excluded = _decide([invoice], run_date=date(2025, 3, 1))
    assert decision.action == "none"
    (line,) = decision.lines
    assert (line.level, line.escalated, line.next_date) == (FRIENDLY, False, date(2025, 3, 2))
    decision, _excluded = _decide([invoice], run_date=date(2025, 3, 2))
    assert decision.action == "send"
    assert decision.lines[0].level == PERSUASIVE


def test_an_invoice_before_its_first_level_delay_gets_nothing_yet():
    invoice = _invoice(1, RUN - timedelta(days=6))  # first level after 7 days
    decision, _excluded = _decide([invoice])
    assert decision.action == "none"
    assert decision.lines[0].next_date == RUN + timedelta(days=1)
    assert _plan([invoice]).decisions == []


def test_an_invoice_at_the_last_level_does_not_escalate_further():
    invoice = _invoice(1, date(2024, 6, 1), level=FINAL, last_date=date(2024, 9, 1))
    decision, _excluded = _decide([invoice])
    assert decision.action == "none"
    (line,) = decision.lines
    assert (line.level, line.escalated, line.next_date) == (FINAL, False, None)
    assert _plan([invoice]).decisions == []


def test_an_invoice_at_the_last_level_is_listed_when_another_invoice_escalates():
    at_final = _invoice(1, date(2024, 6, 1), level=FINAL, last_date=date(2024, 9, 1))
    new = _invoice(2, RUN - timedelta(days=10))
    decision = _only_decision(_plan([new, at_final]))
    assert decision.action == "send"
    assert [line.invoice.id for line in decision.lines] == [1, 2]
    assert [line.invoice.id for line in decision.escalated_lines] == [2]
    assert decision.lines[0].level == FINAL
    assert decision.lines[1].level == FRIENDLY


def test_an_invoice_with_a_level_of_another_policy_restarts_at_the_first_level():
    old_formal = Level(id=103, name="Old formal notice", delay=20, tone="formal")
    invoice = _invoice(1, date(2024, 12, 1), level=old_formal, last_date=RUN - timedelta(days=2))
    decision = _only_decision(_plan([invoice]))
    (line,) = decision.lines
    assert (line.previous_level, line.level) == (None, FRIENDLY)
    assert decision.level == FRIENDLY


def test_a_restarted_invoice_still_respects_the_gap_since_its_last_reminder():
    old_level = Level(id=101, name="Old reminder", delay=5)
    gapped = Policy(id=2, name="Gapped", levels=(replace(FRIENDLY, id=21, minimum_gap_days=10),))
    invoice = _invoice(1, date(2024, 12, 1), level=old_level, last_date=RUN - timedelta(days=3))
    decision, _excluded = _decide([invoice], policies=[gapped])
    assert decision.action == "none"
    assert decision.lines[0].next_date == RUN + timedelta(days=7)


# One message per customer


def test_one_decision_lists_every_overdue_invoice_sorted_by_due_date():
    invoices = [
        _invoice(5, RUN - timedelta(days=3)),  # overdue, first level not due yet
        _invoice(3, RUN - timedelta(days=20)),  # escalates to the first level
        _invoice(4, RUN - timedelta(days=60), level=FRIENDLY, last_date=RUN - timedelta(days=2)),
        _invoice(2, RUN - timedelta(days=20)),  # same due date as 3: by id
    ]
    decision = _only_decision(_plan(invoices))
    assert [line.invoice.id for line in decision.lines] == [4, 2, 3, 5]
    assert [line.level for line in decision.lines] == [FRIENDLY, FRIENDLY, FRIENDLY, None]
    assert [line.escalated for line in decision.lines] == [False, True, True, False]
    assert [line.days_overdue for line in decision.lines] == [60, 20, 20, 3]


def test_each_customer_gets_its_own_decision_in_customer_order():
    invoices = [
        _invoice(1, RUN - timedelta(days=10), customer_id=9),
        _invoice(2, RUN - timedelta(days=10), customer_id=4),
        _invoice(3, RUN - timedelta(days=12), customer_id=4),
    ]
    plan = _plan(invoices, customers=[_customer(9), _customer(4)])
    assert [decision.customer.id for decision in plan.decisions] == [4, 9]
    assert [len(decision.lines) for decision in plan.decisions] == [2, 1]


def test_the_message_takes_the_highest_tone_even_from_an_invoice_that_did_not_escalate():
    # A new invoice gets its friendly reminder while another one already got the formal notice.
    invoices = [
        _invoice(1, RUN - timedelta(days=10)),
        _invoice(2, RUN - timedelta(days=40), level=FORMAL, last_date=RUN - timedelta(days=3)),
    ]
    decision = _only_decision(_plan(invoices))
    assert [line.invoice.id for line in decision.escalated_lines] == [1]
    assert decision.level == FORMAL


def test_tone_beats_position_across_policies():
    # Policy by journal: "Soft" has three friendly-to-persuasive levels, "Strict" goes formal early.
    soft = Policy(
        id=2,
        name="Soft",
        journal_ids=frozenset({10}),
        levels=(
            Level(id=21, name="Soft 1", delay=5, tone="friendly"),
            Level(id=22, name="Soft 2", delay=10, tone="friendly"),
            Level(id=23, name="Soft 3", delay=20, tone="persuasive"),
        ),
    )
    strict_formal = Level(id=32, name="Strict 2", delay=10, tone="formal")
    strict = Policy(
        id=3,
        name="Strict",
        journal_ids=frozenset({11}),
        levels=(Level(id=31, name="Strict 1", delay=3, tone="persuasive"), strict_formal),
    )
    invoices = [
        _invoice(1, RUN - timedelta(days=30), journal_id=10, level=soft.levels[1],
                 last_date=RUN - timedelta(days=10)),
        _invoice(2, RUN - timedelta(days=15), journal_id=11, level=strict.levels[0],
                 last_date=RUN - timedelta(days=10)),
    ]  # fmt: skip
    decision = _only_decision(_plan(invoices, policies=[soft, strict]))
    assert [line.level.id for line in decision.lines] == [23, 32]  # both escalate
    assert decision.level == strict_formal  # formal beats persuasive, though Soft 3 is further
    assert decision.policy_id == strict.id


def test_with_equal_tones_the_furthest_level_governs():
    first = Level(id=41, name="Reminder", delay=5, tone="friendly")
    second = Level(id=42, name="Reminder again", delay=15, tone="friendly")
    gentle = Policy(id=4, name="Gentle", levels=(first, second))
    invoices = [
        _invoice(1, RUN - timedelta(days=30), level=first, last_date=RUN - timedelta(days=20)),
        _invoice(2, RUN - timedelta(days=8)),
    ]
    decision = _only_decision(_plan(invoices, policies=[gentle]))
    assert [line.level for line in decision.lines] == [second, first]
    assert decision.level == second


def test_a_customer_with_nothing_escalating_gets_no_decision():
    invoices = [
        _invoice(1, RUN - timedelta(days=3)),
        _invoice(2, RUN - timedelta(days=40), level=FORMAL, last_date=RUN - timedelta(days=1)),
    ]
    decision, _excluded = _decide(invoices)
    assert (decision.action, decision.skip_reason, decision.level) == ("none", None, None)
    plan = _plan(invoices)
    assert plan.decisions == []
    assert plan.evaluated == 2


# Invoices left out


def test_excluded_invoices_are_counted_by_reason_and_not_listed():
    journal_policy = replace(STANDARD, journal_ids=frozenset({10}))
    invoices = [
        _invoice(1, RUN - timedelta(days=10), journal_id=10),  # reminded
        _invoice(2, RUN - timedelta(days=10), journal_id=10, disputed=True),
        _invoice(3, RUN - timedelta(days=10), journal_id=10, no_followup=True),
        _invoice(4, RUN - timedelta(days=11), journal_id=10, no_followup=True),
        _invoice(5, RUN, journal_id=10),  # due today: not overdue yet
        _invoice(6, RUN + timedelta(days=30), journal_id=10),
        _invoice(7, RUN - timedelta(days=10), journal_id=99),  # no policy matches
    ]
    plan = _plan(invoices, policies=[journal_policy])
    assert plan.excluded == {
        EXCLUDED_DISPUTED: 1,
        EXCLUDED_NO_FOLLOWUP: 2,
        EXCLUDED_NOT_OVERDUE: 2,
        EXCLUDED_NO_POLICY: 1,
    }
    assert plan.evaluated == 7
    decision = _only_decision(plan)
    assert [line.invoice.id for line in decision.lines] == [1]


def test_an_invoice_due_on_the_run_date_is_not_overdue_but_is_the_next_day():
    invoice = _invoice(1, RUN, level=None)
    zero_delay = Policy(id=5, name="Immediate", levels=(Level(id=51, name="Now", delay=0),))
    plan = _plan([invoice], policies=[zero_delay])
    assert plan.decisions == []
    assert plan.excluded == {EXCLUDED_NOT_OVERDUE: 1}
    next_day = _plan([invoice], policies=[zero_delay], run_date=RUN + timedelta(days=1))
    assert _only_decision(next_day).level.id == 51


def test_a_settled_invoice_is_not_reminded():
    invoice = _invoice(1, RUN - timedelta(days=10), residual=0.004)
    plan = _plan([invoice])
    assert plan.decisions == []
    assert plan.evaluated == 1


def test_a_policy_without_levels_counts_as_no_policy():
    empty = Policy(id=6, name="Empty", levels=())
    plan = _plan([_invoice(1, RUN - timedelta(days=10))], policies=[empty])
    assert plan.excluded == {EXCLUDED_NO_POLICY: 1}
    assert plan.decisions == []


def test_evaluated_counts_only_invoices_of_customers_in_the_batch():
    invoices = [
        _invoice(1, RUN - timedelta(days=10), customer_id=1),
        _invoice(2, RUN + timedelta(days=10), customer_id=1),
        _invoice(3, RUN - timedelta(days=10), customer_id=1, disputed=True),
        _invoice(4, RUN - timedelta(days=10), customer_id=2),
        _invoice(5, RUN - timedelta(days=10), customer_id=2, disputed=True),
    ]
    plan = _plan(invoices, customers=[_customer(1)])
    assert plan.evaluated == 3
    assert plan.excluded == {EXCLUDED_NOT_OVERDUE: 1, EXCLUDED_DISPUTED: 1}
    assert [decision.customer.id for decision in plan.decisions] == [1]
    assert [line.invoice.id for line in plan.decisions[0].lines] == [1]


def test_a_customer_in_the_batch_without_invoices_is_evaluated_as_nothing():
    plan = _plan([], customers=[_customer(1), _customer(2)])
    assert (plan.decisions, plan.evaluated, plan.excluded) == ([], 0, {})


# The level's minimum amount (customer's overdue total under the policy, company currency)

MIN_FRIENDLY = replace(FRIENDLY, minimum_amount=500.0)
MINIMUM = Policy(id=7, name="Above 500", levels=(MIN_FRIENDLY, PERSUASIVE))
OTHER_FRIENDLY = replace(FRIENDLY, id=81)


def test_the_level_minimum_is_reached_by_the_customers_overdue_total():
    invoices = [
        _invoice(1, RUN - timedelta(days=10), residual=300.0),
        _invoice(2, RUN - timedelta(days=9), residual=150.0),
        _invoice(3, RUN - timedelta(days=2), residual=50.0),  # overdue, level not due yet
    ]
    decision = _only_decision(_plan(invoices, policies=[MINIMUM]))
    assert decision.action == "send"
    assert [line.escalated for line in decision.lines] == [True, True, False]


def test_below_the_level_minimum_the_customer_is_skipped():
    invoices = [
        _invoice(1, RUN - timedelta(days=10), residual=300.0),
        _invoice(2, RUN - timedelta(days=9), residual=150.0),
        _invoice(3, RUN + timedelta(days=5), residual=5000.0),  # not overdue: does not count
        _invoice(4, RUN - timedelta(days=9), residual=5000.0, disputed=True),  # excluded
    ]
    decision = _only_decision(_plan(invoices, policies=[MINIMUM]))
    assert (decision.action, decision.skip_reason) == ("skip", SKIP_BELOW_MINIMUM)
    assert decision.escalated_lines == []
    assert [line.level for line in decision.lines] == [None, None]


def test_the_level_minimum_compares_amounts_in_company_currency():
    # 1,000 in the invoice's currency is worth 450 in the company's.
    invoice = _invoice(1, RUN - timedelta(days=10), residual=1000.0, residual_company=450.0)
    decision = _only_decision(_plan([invoice], policies=[MINIMUM]))
    assert decision.skip_reason == SKIP_BELOW_MINIMUM


def test_the_level_minimum_tolerates_less_than_half_a_cent():
    invoices = [_invoice(1, RUN - timedelta(days=10), residual=499.996)]
    assert _only_decision(_plan(invoices, policies=[MINIMUM])).action == "send"
    invoices = [_invoice(1, RUN - timedelta(days=10), residual=499.99)]
    assert _only_decision(_plan(invoices, policies=[MINIMUM])).skip_reason == SKIP_BELOW_MINIMUM


def test_the_level_minimum_counts_only_invoices_under_the_same_policy():
    by_journal = replace(MINIMUM, journal_ids=frozenset({10}))
    other = Policy(id=8, name="Other", journal_ids=frozenset({11}), levels=(OTHER_FRIENDLY,))
    invoices = [
        _invoice(1, RUN - timedelta(days=10), residual=300.0, journal_id=10),
        _invoice(2, RUN - timedelta(days=3), residual=900.0, journal_id=11),  # not due yet
    ]
    decision = _only_decision(_plan(invoices, policies=[by_journal, other]))
    assert decision.skip_reason == SKIP_BELOW_MINIMUM


def test_a_blocked_level_does_not_stop_another_invoice_from_escalating():
    by_journal = replace(MINIMUM, journal_ids=frozenset({10}))
    other = Policy(id=8, name="Other", journal_ids=frozenset({11}), levels=(OTHER_FRIENDLY,))
    invoices = [
        _invoice(1, RUN - timedelta(days=10), residual=300.0, journal_id=10),  # below 500
        _invoice(2, RUN - timedelta(days=10), residual=100.0, journal_id=11),
    ]
    decision = _only_decision(_plan(invoices, policies=[by_journal, other]))
    assert decision.action == "send"
    assert [line.invoice.id for line in decision.escalated_lines] == [2]
    assert decision.lines[0].level is None
    assert decision.policy_id == other.id


# Customer-level skip reasons


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (
            {"pause_until": RUN, "net_balance": -50.0, "email": None, "blacklisted": True},
            SKIP_PAUSED,
        ),
        ({"net_balance": -50.0, "email": None, "blacklisted": True}, SKIP_CREDIT_COVERS),
        ({"email": None, "blacklisted": True}, SKIP_NO_EMAIL),
        ({"email": "", "blacklisted": True}, SKIP_NO_EMAIL),
        ({"blacklisted": True}, SKIP_BLACKLISTED),
        ({"pause_until": RUN + timedelta(days=30)}, SKIP_PAUSED),
        ({"pause_until": RUN - timedelta(days=1)}, None),  # the pause ended yesterday
        ({"net_balance": 0.0}, SKIP_CREDIT_COVERS),
        ({"net_balance": 0.004}, SKIP_CREDIT_COVERS),
        ({"net_balance": 0.005}, None),
        ({}, None),
    ],
    ids=[
        "paused_first",
        "credit_before_email",
        "no_email_before_blacklist",
        "empty_email",
        "blacklisted",
        "paused_until_later",
        "pause_ended_yesterday",
        "zero_balance",
        "balance_below_half_a_cent",
        "balance_of_half_a_cent",
        "nothing_wrong",
    ],
)
def test_customer_skip_reasons_in_order(values, reason):
    plan = _plan([_invoice(1, RUN - timedelta(days=10))], customers=[_customer(**values)])
    decision = _only_decision(plan)
    assert decision.skip_reason == reason
    assert decision.action == ("skip" if reason else "send")
    assert decision.level == FRIENDLY  # the level that is (or would have been) sent
    assert plan.to_send() == ([] if reason else [decision])
    assert plan.skipped() == ([decision] if reason else [])


def test_an_unreconciled_credit_note_covering_the_overdue_invoices_skips_the_customer():
    invoices = [
        _invoice(1, RUN - timedelta(days=10), residual=120.0),
        _invoice(2, RUN - timedelta(days=20), residual=80.0),
    ]
    # Receivable items: +120 +80 for the invoices, -250 for an open credit note.
    customer = _customer(net_balance=120.0 + 80.0 - 250.0)
    decision = _only_decision(_plan(invoices, customers=[customer]))
    assert (decision.action, decision.skip_reason) == ("skip", SKIP_CREDIT_COVERS)
