from datetime import date

from odoo_automated_dunning.core.behaviour import Payment, behaviour

TODAY = date(2025, 6, 30)


def test_a_customer_who_always_pays_on_time_scores_zero():
    result = behaviour([Payment(date(2025, 5, 1), date(2025, 4, 28), 500.0)], 500.0, 0.0, TODAY)
    assert (result.avg_days_late, result.on_time_share, result.score) == (0.0, 1.0, 0.0)


def test_score_components_by_hand():
    payments = [
        # 1,000 paid 30 days late, 3,000 on time: 7.5 days late on average by amount.
        Payment(date(2025, 3, 1), date(2025, 3, 31), 1000.0),
        Payment(date(2025, 4, 1), date(2025, 3, 30), 3000.0),
    ]
    # Open 2,000, of which 500 overdue.
    result = behaviour(payments, 2000.0, 500.0, TODAY)
    assert result.avg_days_late == 7.5
    assert result.on_time_share == 0.75
    assert result.overdue_share == 0.25
    # 7.5 / 60 x 40 = 5; (1 - 0.75) x 30 = 7.5; 0.25 x 30 = 7.5.
    assert (result.lateness_points, result.punctuality_points, result.overdue_points) == (
        5.0,
        7.5,
        7.5,
    )
    assert result.score == 20.0


def test_lateness_is_capped_and_old_payments_are_forgotten():
    payments = [
        Payment(date(2025, 1, 1), date(2025, 6, 1), 100.0),  # 151 days late
        Payment(date(2024, 1, 1), date(2024, 3, 1), 9999.0),  # more than a year ago
    ]
    result = behaviour(payments, 0.0, 0.0, TODAY)
    assert result.payment_count == 1
    assert result.lateness_points == 40.0
    assert result.score == 70.0  # 40 + 30 (all late) + 0 (nothing open)


def test_trend_compares_the_last_three_months_with_the_three_before():
    payments = [
        Payment(date(2025, 1, 10), date(2025, 1, 20), 100.0),  # 10 days late, Jan
        Payment(date(2025, 5, 1), date(2025, 5, 31), 100.0),  # 30 days late, May
    ]
    assert behaviour(payments, 0.0, 0.0, TODAY).trend_days == 20.0
    assert behaviour(payments[:1], 0.0, 0.0, TODAY).trend_days is None
