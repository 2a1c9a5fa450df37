from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import format_date

from ..core import charges

CHARGE_KINDS = [
    ("fee", "Reminder fee"),
    ("compensation", "Compensation or collection costs"),
    ("interest", "Late payment interest"),
]


class DunningCharge(models.Model):
    """What was charged, or refused, for late payment: the ledger that prevents double charges."""

    _name = "dunning.charge"
    _description = "Dunning Charge"
    _order = "date desc, id desc"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    communication_id = fields.Many2one(
        "dunning.communication", index="btree_not_null", readonly=True
    )
    source_move_id = fields.Many2one(
        "account.move", string="Overdue Invoice", index="btree_not_null", readonly=True
    )
    charge_move_id = fields.Many2one(
        "account.move", string="Charged On", index="btree_not_null", readonly=True
    )
    kind = fields.Selection(CHARGE_KINDS, required=True, readonly=True)
    rule_set_id = fields.Many2one("dunning.rule.set", readonly=True)
    date = fields.Date(required=True, readonly=True)
    period_start = fields.Date(readonly=True)
    period_end = fields.Date(readonly=True)
    days = fields.Integer(readonly=True)
    rate = fields.Float(string="Rate (%)", digits=(6, 3), readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(readonly=True)
    state = fields.Selection(
        [("charged", "Charged"), ("not_charged", "Not charged"), ("waived", "Waived")],
        required=True,
        default="charged",
        index=True,
        readonly=True,
    )
    reason = fields.Char(
        readonly=True, help="Why the law allows no charge here, or how it is capped."
    )
    waiver_reason = fields.Text(readonly=True)
    waived_by_id = fields.Many2one("res.users", readonly=True)
    waived_date = fields.Date(readonly=True)
    label = fields.Char(compute="_compute_label", string="Description")
    product_id = fields.Many2one(
        "product.product", readonly=True, help="Gives the taxes and accounts it is billed with."
    )

    def _compute_label(self):
        for charge in self:
            charge.label = charge._label()

    # ------------------------------------------------------------------ business

    @api.model
    def _prepare(
        self,
        policy,
        partner,
        day,
        fee_level=None,
        compensation_invoices=None,
        interest_invoices=None,
        communication=None,
        points=None,
    ):
        """Ledger values for one customer's charges on ``day``; raises MissingRateError.

        ``fee_level``: the level whose fee is due; ``compensation_invoices``: the invoices owing
        the fixed compensation (once each, ever); ``interest_invoices``: interest up to ``day``,
        never twice for a period. ``points``: the reference rates, read once by the caller.
        """
        company = policy.company_id
        rule_set = self.env["dunning.rule.set"]._for_partner(policy, partner, day)
        law = rule_set._core() if rule_set else charges.RULE_SETS["none"]
        is_consumer = not partner.is_company
        base = {
            "company_id": company.id,
            "partner_id": partner.id,
            "communication_id": communication.id if communication else False,
            "rule_set_id": rule_set.id,
            "date": day,
        }
        vals = []
        level = fee_level
        if level and level.fee_amount:
            charge = charges.level_fee(
                law,
                level.fee_amount,
                is_consumer,
                reminder_number=level._rank() + 1,
                days_since_previous_reminder=self._days_since_last_reminder(partner, day),
                digits=company.currency_id.decimal_places,
            )
            vals.append(
                self._vals(base, "fee", charge, company.currency_id)
                | {"product_id": level.fee_product_id.id}
            )
        if compensation_invoices:
            # Statutory amounts are in the law's currency (EUR, GBP); the debt size is judged
            # there and the compensation billed in company currency.
            statutory = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", law.currency)], limit=1)
            ) or company.currency_id
            done = self._charged_moves(compensation_invoices, "compensation")
            notices = self._first_notice_dates(compensation_invoices, day)
            for invoice in compensation_invoices - done:
                debt = invoice.currency_id._convert(invoice.amount_total, statutory, company, day)
                # Businesses owe the fixed compensation; consumers only the scale costs their
                # law allows, once the reminder stating the exact amount has expired.
                charge = charges.collection_costs(
                    law, debt, is_consumer, notice_date=notices.get(invoice.id), today=day
                )
                amount = statutory._convert(float(charge.amount), company.currency_id, company, day)
                vals.append(
                    self._vals(
                        base | {"source_move_id": invoice.id},
                        "compensation",
                        charges.Charge(charges.to_decimal(amount), charge.reason),
                        company.currency_id,
                    )
                )
        if interest_invoices:
            points = points if points is not None else self.env["dunning.reference.rate"]._points()
            vals += self._interest_vals(base, law, interest_invoices, day, is_consumer, points)
        return vals

    def _interest_vals(self, base, law, invoices, day, is_consumer, points):
        schedules = invoices._dunning_payment_schedule()
        charged_until = self._charged_until(invoices)
        vals = []
        for invoice in invoices:
            amount, payments = schedules[invoice.id]
            periods = charges.interest(
                law,
                charges.PrincipalSchedule(amount, tuple(payments)),
                invoice.invoice_date_due,
                day,
                points,
                is_consumer,
                charged_until=charged_until.get(invoice.id),
                digits=invoice.currency_id.decimal_places,
            )
            line_base = base | {"source_move_id": invoice.id, "currency_id": invoice.currency_id.id}
            if not periods:
                reason = charges.no_interest_reason(law, is_consumer)
                if reason:
                    vals.append(
                        line_base
                        | {
                            "kind": "interest",
                            "state": "not_charged",
                            "amount": 0.0,
                            "reason": reason,
                        }
                    )
                continue
            vals += [
                line_base
                | {
                    "kind": "interest",
                    "period_start": period.start,
                    "period_end": period.end,
                    "days": period.days,
                    "rate": float(period.rate),
                    "amount": float(period.amount),
                    "state": "charged" if period.amount else "not_charged",
                }
                for period in periods
            ]
        return vals

    @api.model
    def _vals(self, base, kind, charge, currency):
        return base | {
            "kind": kind,
            "currency_id": currency.id,
            "amount": float(charge.amount),
            "state": "charged" if charge.amount else "not_charged",
            "reason": charge.reason or False,
        }

    @api.model
    def _charged_moves(self, invoices, kind):
        """Invoices already charged (or waived) this kind of charge: it is never charged twice."""
        return self.search(
            [
                ("source_move_id", "in", invoices.ids),
                ("kind", "=", kind),
                ("state", "in", ("charged", "waived")),
            ]
        ).source_move_id

    @api.model
    def _first_notice_dates(self, invoices, day):
        """{invoice id: date of its first reminder sent before ``day``} (it states the amount)."""
        lines = self.env["dunning.communication.line"].search(
            [
                ("move_id", "in", invoices.ids),
                ("communication_id.state", "=", "sent"),
                ("communication_id.date", "<", day),
            ]
        )
        notices = {}
        for line in lines:
            sent = line.communication_id.date
            notices[line.move_id.id] = min(notices.get(line.move_id.id, sent), sent)
        return notices

    @api.model
    def _charged_until(self, invoices):
        groups = self._read_group(
            [
                ("source_move_id", "in", invoices.ids),
                ("kind", "=", "interest"),
                ("state", "in", ("charged", "waived")),
            ],
            ["source_move_id"],
            ["period_end:max"],
        )
        return {move.id: end for move, end in groups}

    @api.model
    def _days_since_last_reminder(self, partner, day):
        last = self.env["dunning.communication"].search(
            [("partner_id", "=", partner.id), ("state", "=", "sent"), ("date", "<", day)],
            order="date desc",
            limit=1,
        )
        return (day - last.date).days if last else None

    @api.model
    def _create_documents(self, vals_list):
        """Record the charges and bill the charged ones, as draft invoices: one for fees and
        compensation (company currency), one interest note per currency. Posting is the caller's.
        """
        records = self.create(vals_list)
        to_bill = records.filtered(lambda c: c.state == "charged" and c.amount > 0)
        groups = to_bill.grouped(lambda c: (c.partner_id, c.currency_id, c.kind == "interest"))
        for (partner, currency, is_interest), group in groups.items():
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": group.company_id.id,
                    "currency_id": currency.id,
                    "invoice_date": group[0].date,
                    "ref": self.env._("Late payment interest")
                    if is_interest
                    else self.env._("Reminder charges"),
                    "invoice_line_ids": group._invoice_lines(is_interest),
                }
            )
            group.charge_move_id = move
        return records

    def _invoice_lines(self, is_interest):
        """Interest: one line per overdue invoice naming each period; fees: one line each."""
        if not is_interest:
            return [
                Command.create(
                    {
                        "product_id": self.env.ref(
                            f"odoo_automated_dunning.product_dunning_{charge.kind}"
                        ).id,
                        "name": charge._label(),
                        "quantity": 1,
                        "price_unit": charge.amount,
                    }
                )
                for charge in self
            ]
        product = self.env.ref("odoo_automated_dunning.product_dunning_interest")
        return [
            Command.create(
                {
                    "product_id": product.id,
                    "name": "\n".join(
                        [self.env._("Late payment interest on %(invoice)s", invoice=invoice.name)]
                        + [c._label() for c in periods]
                    ),
                    "quantity": 1,
                    "price_unit": sum(periods.mapped("amount")),
                }
            )
            for invoice, periods in self.grouped("source_move_id").items()
        ]

    def _label(self):
        self.ensure_one()
        if self.kind == "interest":
            lang = self.partner_id.lang
            return self.env._(
                "%(start)s to %(end)s, %(days)s days at %(rate)s%%",
                start=format_date(self.env, self.period_start, lang_code=lang),
                end=format_date(self.env, self.period_end, lang_code=lang),
                days=self.days,
                rate=f"{self.rate:.3f}".rstrip("0").rstrip("."),
            )
        if self.kind == "compensation":
            return self.env._(
                "Fixed compensation for late payment of %(invoice)s",
                invoice=self.source_move_id.name,
            )
        return self.env._("Reminder fee")
