from datetime import date, timedelta

from odoo_automated_dunning.core import predict
from odoo_automated_dunning.core.predict import (
    CATCH_UP_DAYS,
    OpenInvoice,
    PaidInvoice,
    Plan,
    Promise,
    blend,
    habit,
)

TODAY = date(2026, 6, 1)


def _paid(days_ago, delay, amount=1000.0):
    due = TODAY - timedelta(days=days_ago + delay)
    return PaidInvoice(due, due + timedelta(days=delay), amount)


def _in(days):
    return TODAY + timedelta(days=days)


def test_a_steady_payer_is_predicted_its_usual_delay_after_the_due_date():
    usual = habit([_paid(age, 20) for age in range(10, 300, 30)], TODAY)
    assert round(usual.days_late) == 20
    result = predict.predict([OpenInvoice(1, _in(10), 500.0)], usual, TODAY)
    assert result[1] == predict.Prediction(_in(30), predict.SOURCE_HISTORY)


def test_recent_payments_count_more_than_old_ones():
    # Paid on time until seven months ago, 12 days late in the last four months.
    payments = [_paid(age, 0) for age in range(200, 480, 30)] + [
        _paid(age, 12) for age in (10, 40, 70, 100)
    ]
    usual = habit(payments, TODAY)
    plain = sum(p.delay for p in payments) / len(payments)
    assert usual.days_late > plain + 3


def test_one_invoice_paid_very_late_is_clipped():
    payments = [_paid(age, 10) for age in range(10, 300, 30)] + [_paid(5, 300)]
    usual = habit(payments, TODAY)
    # Clipped to 10 + 15 days (the minimum reach), weighing about 1 in 6 after the decay:
    # about 12.5 days, where the plain weighted mean would be over 50.
    assert 10 < usual.days_late < 14


def test_a_large_invoice_weighs_more_but_does_not_decide_alone():
    payments = [_paid(30, 0, 100.0), _paid(31, 0, 100.0), _paid(32, 4, 10000.0)]
    usual = habit(payments, TODAY)
    assert 1.5 < usual.days_late < 4


def test_payments_older_than_the_window_are_ignored():
    assert habit([_paid(predict.WINDOW_DAYS + 5, 30)], TODAY) is None


def test_a_new_customer_gets_the_company_habit_and_one_payment_moves_it_halfway():
    company = habit([_paid(age, 30) for age in range(10, 300, 10)], TODAY, "company")
    assert blend(None, company).days_late == company.days_late
    assert blend(None, company).source == predict.SOURCE_COMPANY
    one = blend(habit([_paid(10, 0)], TODAY), company)
    assert round(one.days_late) == 15
    assert blend(None, None) is None


def test_an_overdue_invoice_is_never_predicted_in_the_past():
    usual = habit([_paid(age, 10) for age in range(10, 300, 30)], TODAY)
    # Due 40 days ago, the customer usually pays 10 days late and never later: a week from now.
    result = predict.predict([OpenInvoice(1, _in(-40), 500.0)], usual, TODAY)
    assert result[1].date == _in(CATCH_UP_DAYS)


def test_an_overdue_invoice_follows_what_the_customer_did_when_that_late():
    # Mostly 5 days late, but twice 60 days late: an invoice 30 days late now goes the 60 way.
    payments = [_paid(age, 5) for age in range(10, 300, 30)] + [_paid(100, 60), _paid(200, 60)]
    usual = habit(payments, TODAY)
    result = predict.predict([OpenInvoice(1, _in(-30), 500.0)], usual, TODAY)
    assert result[1].date == _in(30)


def test_an_early_payer_with_an_invoice_due_soon_is_predicted_today():
    usual = habit([_paid(age, -10) for age in range(10, 300, 30)], TODAY)
    assert predict.predict([OpenInvoice(1, _in(3), 50.0)], usual, TODAY)[1].date == TODAY


def test_a_promise_covers_its_invoices_oldest_first_up_to_its_amount():
    usual = habit([_paid(age, 20) for age in range(10, 300, 30)], TODAY)
    invoices = [
        OpenInvoice(1, _in(-10), 300.0),
        OpenInvoice(2, _in(-5), 300.0),
        OpenInvoice(3, _in(-1), 300.0),
    ]
    promise = Promise(_in(4), 500.0, (1, 2, 3))
    result = predict.predict(invoices, usual, TODAY, promises=[promise])
    assert [result[i].source for i in (1, 2, 3)] == ["promise", "promise", "history"]
    assert result[1].date == result[2].date == _in(4)
    assert result[3].date == _in(19)


def test_plan_installments_pay_invoices_in_due_date_order():
    invoices = [OpenInvoice(1, _in(-60), 400.0), OpenInvoice(2, _in(-30), 400.0)]
    plan = Plan(((_in(10), 300.0), (_in(40), 300.0), (_in(70), 200.0)), (1, 2))
    result = predict.predict(invoices, None, TODAY, plans=[plan])
    # 300 < 400: the first invoice is complete with the second installment, the other with
    # the third.
    assert result[1] == predict.Prediction(_in(40), predict.SOURCE_PLAN)
    assert result[2] == predict.Prediction(_in(70), predict.SOURCE_PLAN)


def test_a_plan_wins_over_a_promise_for_the_same_invoice():
    invoices = [OpenInvoice(1, _in(-60), 400.0)]
    plan = Plan(((_in(30), 400.0),), (1,))
    promise = Promise(_in(5), 400.0, (1,))
    result = predict.predict(invoices, None, TODAY, promises=[promise], plans=[plan])
    assert result[1].date == _in(30)


def test_a_past_promise_date_still_open_is_today():
    invoices = [OpenInvoice(1, _in(-60), 400.0)]
    result = predict.predict(invoices, None, TODAY, promises=[Promise(_in(-2), 400.0, (1,))])
    assert result[1].date == TODAY


def test_disputed_invoices_and_no_history_get_no_prediction():
    usual = habit([_paid(30, 5)], TODAY)
    invoices = [OpenInvoice(1, _in(-10), 100.0, disputed=True), OpenInvoice(2, _in(5), 100.0)]
    assert set(predict.predict(invoices, usual, TODAY)) == {2}
    assert predict.predict(invoices, None, TODAY) == {}
