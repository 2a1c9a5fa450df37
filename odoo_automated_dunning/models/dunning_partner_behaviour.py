from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..core import predict
from ..core.behaviour import WINDOW_DAYS, Payment, behaviour

BATCH_SIZE = 1000


class DunningPartnerBehaviour(models.Model):
    """How a customer pays in one company, recomputed nightly (see core/behaviour.py)."""

    _name = "dunning.partner.behaviour"
    _description = "Customer Payment Behaviour"
    _order = "score desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Date(string="Computed On", readonly=True)
    payment_count = fields.Integer(string="Payments (12 months)", readonly=True)
    avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        aggregator="avg",
        help="Days after the due date, weighted by amount, over the last 12 months' payments.",
    )
    on_time_share = fields.Float(
        string="Paid on Time (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the amount paid by its due date.",
    )
    trend_days = fields.Float(
        string="Trend (days)",
        readonly=True,
        help="Average days late in the last 3 months minus the 3 months before: positive is worse.",
    )
    overdue_share = fields.Float(string="Overdue Share (%)", readonly=True, aggregator="avg")
    lateness_points = fields.Float(
        readonly=True, help="Up to 40: average days late, 60 or more gives 40."
    )
    punctuality_points = fields.Float(
        readonly=True, help="Up to 30: share of the amount paid late."
    )
    overdue_points = fields.Float(
        readonly=True, help="Up to 30: share of the open balance overdue."
    )
    promise_count = fields.Integer(
        string="Promises Due (12 months)",
        readonly=True,
        help="Promises to pay whose limit fell in the last 12 months (kept or broken).",
    )
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True)
    promise_kept_share = fields.Float(
        string="Promises Kept (%)",
        readonly=True,
        aggregator="avg",
        help="Kept promises / promises due, over the last 12 months (100 without promises).",
    )
    score = fields.Float(
        string="Risk Score", readonly=True, aggregator="avg", help="The sum of the three points."
    )

    _partner_company_uniq = models.Constraint(
        "UNIQUE (partner_id, company_id)", "One behaviour per customer and company."
    )

    @api.model
    def _cron_compute(self):
        for company in self.env["res.company"].search([]):
            self.with_company(company)._compute_for_company(company)

    @api.model
    def _compute_for_company(self, company, today=None):
        """All customers with receivables in the company, in batches, set-wise.

        The rows are the system's, read-only for users: written as superuser.
        """
        self = self.sudo()  # noqa: PLW0642
        today = today or company._dunning_today()
        partner_ids = [
            partner.id
            for (partner,) in self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("move_id.move_type", "=", "out_invoice"),
                ],
                ["partner_id"],
            )
            if partner
        ]
        # The company's habit: the fallback of customers with little or no history.
        every_payment = [
            predict.PaidInvoice(p.due_date, p.paid_date, p.amount)
            for rows in self._payments(company, None, today, predict.WINDOW_DAYS).values()
            for p in rows
        ]
        company_habit = predict.habit(every_payment, today, predict.SOURCE_COMPANY)
        for batch in split_every(BATCH_SIZE, partner_ids):
            self._compute_batch(company, list(batch), today, company_habit)

    def _compute_batch(self, company, partner_ids, today, company_habit=None):
        payments = self._payments(company, partner_ids, today, predict.WINDOW_DAYS)
        self._compute_predictions(company, partner_ids, today, payments, company_habit)
        open_amounts = self._open_amounts(company, partner_ids)
        overdue_amounts = self._open_amounts(company, partner_ids, [("date_maturity", "<", today)])
        promises = self._promises(company, partner_ids, today)
        existing = {
            record.partner_id.id: record
            for record in self.search(
                [("company_id", "=", company.id), ("partner_id", "in", partner_ids)]
            )
        }
        to_create = []
        for partner_id in partner_ids:
            result = behaviour(
                payments.get(partner_id, []),
                open_amounts.get(partner_id, 0.0),
                overdue_amounts.get(partner_id, 0.0),
                today,
            )
            vals = {
                "date": today,
                "payment_count": result.payment_count,
                "avg_days_late": result.avg_days_late,
                "on_time_share": 100 * result.on_time_share,
                "trend_days": result.trend_days or 0.0,
                "overdue_share": 100 * result.overdue_share,
                "lateness_points": result.lateness_points,
                "punctuality_points": result.punctuality_points,
                "overdue_points": result.overdue_points,
                "score": result.score,
            }
            kept, due = promises.get(partner_id, (0, 0))
            vals |= {
                "promise_count": due,
                "promise_kept_count": kept,
                "promise_kept_share": 100.0 * kept / due if due else 100.0,
            }
            if partner_id in existing:
                existing[partner_id].write(vals)
            else:
                to_create.append(vals | {"partner_id": partner_id, "company_id": company.id})
        self.create(to_create)

    def _promises(self, company, partner_ids, today):
        """{partner id: (kept, kept or broken)} over the last 12 months, one query."""
        groups = self.env["dunning.promise"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partner_ids),
                ("state", "in", ("kept", "broken")),
                ("date_promised", ">", fields.Date.subtract(today, days=WINDOW_DAYS)),
            ],
            ["partner_id", "state"],
            ["__count"],
        )
        result = {}
        for partner, state, count in groups:
            kept, due = result.get(partner.id, (0, 0))
            result[partner.id] = (kept + (count if state == "kept" else 0), due + count)
        return result

    def _open_amounts(self, company, partner_ids, extra_domain=()):
        """{partner id: open receivable amount} (company currency), one query."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partner_ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
                *extra_domain,
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        return {partner.id: amount for partner, amount in groups}

    def _payments(self, company, partner_ids, today, days=WINDOW_DAYS):
        """{partner id: [Payment]}: invoice installments settled by payments (not credit notes),
        over the last ``days`` (all customers of the company when ``partner_ids`` is None)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT debit.partner_id, debit.date_maturity, partial.max_date, partial.amount
                  FROM account_partial_reconcile partial
                  JOIN account_move_line debit ON debit.id = partial.debit_move_id
                  JOIN account_move invoice ON invoice.id = debit.move_id
                  JOIN account_move_line credit ON credit.id = partial.credit_move_id
                  JOIN account_move payment ON payment.id = credit.move_id
                 WHERE invoice.move_type = 'out_invoice'
                   AND payment.move_type = 'entry'
                   AND debit.company_id = %(company)s
                   AND (%(all)s OR debit.partner_id = ANY(%(partners)s))
                   AND partial.max_date > %(since)s
                   AND partial.max_date <= %(today)s
                """,
                company=company.id,
                all=partner_ids is None,
                partners=partner_ids or [],
                since=fields.Date.subtract(today, days=days),
                today=today,
            )
        )
        payments = {}
        for partner_id, due, paid, amount in self.env.cr.fetchall():
            payments.setdefault(partner_id, []).append(Payment(due, paid, amount))
        return payments

    # Predicted payment dates ----------------------------------------------------------------

    def _compute_predictions(self, company, partner_ids, today, payments, company_habit):
        """Predict every open invoice of these customers (core/predict.py) and write the dates
        in one UPDATE; invoices of theirs no longer open lose theirs in a second one."""
        Move = self.env["account.move"]
        self.env.cr.execute(
            SQL(
                """
                SELECT id, commercial_partner_id, invoice_date_due, amount_residual,
                       COALESCE(dunning_dispute, FALSE)
                  FROM account_move
                 WHERE company_id = %(company)s
                   AND commercial_partner_id = ANY(%(partners)s)
                   AND move_type = 'out_invoice'
                   AND state = 'posted'
                   AND payment_state IN ('not_paid', 'partial')
                """,
                company=company.id,
                partners=partner_ids,
            )
        )
        invoices = {}
        for move_id, partner_id, due, residual, disputed in self.env.cr.fetchall():
            invoices.setdefault(partner_id, []).append(
                predict.OpenInvoice(move_id, due, residual, disputed)
            )
        promises, plans = self._agreements(company, list(invoices))
        ids, dates, sources = [], [], []
        for partner_id, open_invoices in invoices.items():
            own = predict.habit(
                [
                    predict.PaidInvoice(p.due_date, p.paid_date, p.amount)
                    for p in payments.get(partner_id, [])
                ],
                today,
            )
            result = predict.predict(
                open_invoices,
                predict.blend(own, company_habit),
                today,
                promises.get(partner_id, []),
                plans.get(partner_id, []),
            )
            for invoice in open_invoices:
                prediction = result.get(invoice.id)
                ids.append(invoice.id)
                dates.append(prediction and prediction.date)
                sources.append(prediction and prediction.source)
        Move.flush_model(["dunning_predicted_date", "dunning_predicted_source"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move move
                   SET dunning_predicted_date = new.date, dunning_predicted_source = new.source
                  FROM unnest(%(ids)s::int[], %(dates)s::date[], %(sources)s::varchar[])
                       AS new(id, date, source)
                 WHERE move.id = new.id
                   AND (move.dunning_predicted_date IS DISTINCT FROM new.date
                        OR move.dunning_predicted_source IS DISTINCT FROM new.source)
                """,
                ids=ids,
                dates=dates,
                sources=sources,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move
                   SET dunning_predicted_date = NULL, dunning_predicted_source = NULL
                 WHERE company_id = %(company)s
                   AND commercial_partner_id = ANY(%(partners)s)
                   AND dunning_predicted_date IS NOT NULL
                   AND id <> ALL(%(ids)s)
                """,
                company=company.id,
                partners=partner_ids,
                ids=ids,
            )
        )
        Move.invalidate_model(["dunning_predicted_date", "dunning_predicted_source"])

    def _agreements(self, company, partner_ids):
        """({partner id: [Promise]}, {partner id: [Plan]}): open promises and active plans."""
        promises, plans = {}, {}
        for promise in self.env["dunning.promise"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partner_ids),
                ("state", "=", "open"),
            ]
        ):
            promises.setdefault(promise.partner_id.id, []).append(
                predict.Promise(promise.date_promised, promise.amount, tuple(promise.move_ids.ids))
            )
        for plan in self.env["dunning.payment.plan"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partner_ids),
                ("state", "=", "active"),
            ]
        ):
            plans.setdefault(plan.partner_id.id, []).append(
                predict.Plan(
                    tuple(
                        (installment.due_date, installment.amount_residual)
                        for installment in plan.installment_ids
                        if installment.state != "paid"
                    ),
                    tuple(plan.invoice_ids.ids),
                )
            )
        return promises, plans
