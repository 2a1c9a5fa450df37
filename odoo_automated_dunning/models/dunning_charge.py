from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import float_round, format_date, formatLang
from odoo.tools.misc import babel_locale_parse

from ..core import charges
from .dunning_communication import CONTACT_STATES
from .dunning_reference_rate import REFERENCES

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
    # A reminder's charges wait for one of its messages to reach the customer (pending), are
    # then billed (charged), or are dropped with it when none does (cancelled).
    state = fields.Selection(
        [
            ("pending", "Awaiting Delivery"),
            ("charged", "Charged"),
            ("not_charged", "Not charged"),
            ("waived", "Waived"),
            ("cancelled", "Not Delivered"),
        ],
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
    missing_rate_reference = fields.Selection(
        REFERENCES, readonly=True, help="The reference rate that was missing for this interest."
    )
    missing_rate_date = fields.Date(readonly=True, help="The day it was missing for.")

    @api.depends("kind", "period_start", "period_end", "days", "rate", "source_move_id.name")
    @api.depends_context("lang")
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
        """Ledger values for one customer's charges on ``day``.

        ``fee_level``: the level whose fee is due; ``compensation_invoices``: the invoices owing
        the fixed compensation (once each, ever); ``interest_invoices``: interest up to ``day``,
        never twice for a period. ``points``: the reference rates, read once by the caller.

        One currency per reminder: the law's amounts (statutory sums, the level's fee) are
        converted at ``day`` into the invoice's currency (the fee into that of the listed
        invoices), interest is computed in it. An interest that needs a rate nobody entered
        yet is not charged: its value says why and names the rate, nothing is raised.
        """
        company = policy.company_id
        rule_set = self.env["dunning.rule.set"]._for_partner(policy, partner, day)
        law = rule_set._core() if rule_set else charges.RULE_SETS["none"]
        law_currency = rule_set._law_currency(company)
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
                digits=law_currency.decimal_places,
            )
            listed = (
                communication.line_ids.move_id
                if communication
                else (compensation_invoices or self.env["account.move"])
                | (interest_invoices or self.env["account.move"])
            )
            currency = self._bill_currency(listed, company)
            vals.append(
                self._vals(
                    base,
                    "fee",
                    self._converted(charge, law_currency, currency, company, day),
                    currency,
                )
                | {"product_id": level.fee_product_id.id}
            )
        if compensation_invoices:
            done = self._charged_moves(compensation_invoices, "compensation")
            notices = self._first_notice_dates(compensation_invoices, day)
            for invoice in compensation_invoices - done:
                # The UK tiers judge the debt in the law's currency.
                debt = invoice.currency_id._convert(
                    invoice.amount_total, law_currency, company, day, round=False
                )
                # Businesses owe the fixed compensation; consumers only the scale costs their
                # law allows, once the reminder stating the exact amount has expired.
                charge = charges.collection_costs(
                    law,
                    debt,
                    is_consumer,
                    notice_date=notices.get(invoice.id),
                    today=day,
                    digits=law_currency.decimal_places,
                )
                vals.append(
                    self._vals(
                        base | {"source_move_id": invoice.id},
                        "compensation",
                        self._converted(charge, law_currency, invoice.currency_id, company, day),
                        invoice.currency_id,
                    )
                )
        if interest_invoices:
            points = points if points is not None else self.env["dunning.reference.rate"]._points()
            vals += self._interest_vals(base, law, interest_invoices, day, is_consumer, points)
        return vals

    @api.model
    def _bill_currency(self, invoices, company):
        """The currency a reminder's fee is billed in: its invoices' (with several currencies,
        the one of the largest amount due), else the company's."""
        due = {}
        for invoice in invoices:
            due[invoice.currency_id] = due.get(invoice.currency_id, 0.0) + abs(
                invoice.amount_residual_signed
            )
        if not due:
            return company.currency_id
        return max(due, key=lambda currency: (due[currency], -currency.id))

    @api.model
    def _converted(self, charge, law_currency, currency, company, day):
        """``charge`` (in the law's currency) in ``currency`` at the rate of ``day``."""
        if currency == law_currency:
            return charge
        rate = self.env["res.currency"]._get_conversion_rate(law_currency, currency, company, day)
        return charges.Charge(
            charges.convert(charge.amount, rate, currency.decimal_places), charge.reason
        )

    def _interest_vals(self, base, law, invoices, day, is_consumer, points):
        schedules = invoices._dunning_payment_schedule()
        charged_until = self._charged_until(invoices)
        vals = []
        for invoice in invoices:
            amount, payments = schedules[invoice.id]
            line_base = base | {"source_move_id": invoice.id, "currency_id": invoice.currency_id.id}
            try:
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
            except charges.MissingRateError as error:
                # The reminder goes out without this interest; the days stay uncharged, so
                # the next reminder after the rate is entered charges them.
                vals.append(
                    line_base
                    | {
                        "kind": "interest",
                        "state": "not_charged",
                        "amount": 0.0,
                        "reason": self._missing_rate_reason(error.reference, error.day),
                        "missing_rate_reference": error.reference,
                        "missing_rate_date": error.day,
                    }
                )
                continue
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
    def _missing_rate_reason(self, reference, day):
        labels = dict(
            self.env["dunning.reference.rate"]._fields["reference"]._description_selection(self.env)
        )
        return self.env._(
            "Interest not charged: no %(rate)s is known for %(date)s. Enter it under "
            "Reference Rates (or import the central bank's file); the next reminder charges "
            "these days.",
            rate=labels.get(reference, reference),
            date=format_date(self.env, day),
        )

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
        """Invoices already charged (or waived, or awaiting their reminder's delivery) this
        kind of charge: it is never charged twice."""
        return self.search(
            [
                ("source_move_id", "in", invoices.ids),
                ("kind", "=", kind),
                ("state", "in", ("pending", "charged", "waived")),
            ]
        ).source_move_id

    @api.model
    def _first_notice_dates(self, invoices, day):
        """{invoice id: date of its first reminder sent before ``day``} (it states the amount)."""
        lines = self.env["dunning.communication.line"].search(
            [
                ("move_id", "in", invoices.ids),
                ("communication_id.state", "in", CONTACT_STATES),
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
                ("state", "in", ("pending", "charged", "waived")),
            ],
            ["source_move_id"],
            ["period_end:max"],
        )
        return {move.id: end for move, end in groups}

    @api.model
    def _days_since_last_reminder(self, partner, day):
        last = self.env["dunning.communication"].search(
            [
                ("partner_id", "=", partner.id),
                ("state", "in", CONTACT_STATES),
                ("date", "<", day),
            ],
            order="date desc",
            limit=1,
        )
        return (day - last.date).days if last else None

    @api.model
    def _create_documents(self, vals_list):
        """Record the charges and bill the charged ones at once (an interest note on demand).
        Posting is the caller's."""
        records = self._record(vals_list)
        records._bill()
        return records

    @api.model
    def _record(self, vals_list, pending=False):
        """Record the charges in the ledger; ``pending``: a reminder's, billed only once one
        of its messages reached the customer (``_bill``). A Dunning Manager is asked for each
        reference rate found missing."""
        if pending:
            vals_list = [
                vals | {"state": "pending"} if vals.get("state", "charged") == "charged" else vals
                for vals in vals_list
            ]
        records = self.create(vals_list)
        missing = records.filtered("missing_rate_reference")
        if missing:
            self.env["dunning.reference.rate"]._ask_for_missing_rates(
                {(c.missing_rate_reference, c.missing_rate_date) for c in missing},
                missing.company_id[:1],
            )
        return records

    def _bill(self):
        """Bill these charges, as draft invoices: per customer and currency one for fees and
        compensation and one interest note. Returns the documents; posting is the caller's."""
        to_bill = self.filtered(
            lambda c: c.state in ("pending", "charged") and c.amount > 0 and not c.charge_move_id
        )
        to_bill.filtered(lambda c: c.state == "pending").state = "charged"
        documents = self.env["account.move"]
        groups = to_bill.grouped(lambda c: (c.partner_id, c.currency_id, c.kind == "interest"))
        for (partner, currency, is_interest), group in groups.items():
            # Written in the customer's language, like the reminder itself.
            in_lang = group.with_context(lang=partner.lang or self.env.lang)
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": group.company_id.id,
                    "currency_id": currency.id,
                    "invoice_date": group[0].date,
                    "ref": in_lang.env._("Late payment interest")
                    if is_interest
                    else in_lang.env._("Reminder charges"),
                    "invoice_line_ids": in_lang._invoice_lines(is_interest),
                }
            )
            group.charge_move_id = move
            documents |= move
        return documents

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
        """In the current language (the recipient's when a reminder or invoice is written)."""
        self.ensure_one()
        if self.kind == "interest":
            return self.env._(
                "%(start)s to %(end)s, %(days)s days at %(rate)s",
                start=format_date(self.env, self.period_start),
                end=format_date(self.env, self.period_end),
                days=self.days,
                rate=self._format_rate(self.rate),
            )
        if self.kind == "compensation":
            return self.env._(
                "Fixed compensation for late payment of %(invoice)s",
                invoice=self.source_move_id.name,
            )
        return self.env._("Reminder fee")

    @api.model
    def _format_rate(self, rate):
        """'10.27%' in English, '10,27 %' in German or French: the number in the language's
        Odoo format, the sign placed as the language's CLDR percent pattern places it."""
        digits = 2 if float_round(rate, 2) == rate else 3
        pattern = babel_locale_parse(self.env.lang or "en_US").percent_formats[None]
        return f"{pattern.prefix[0]}{formatLang(self.env, rate, digits=digits)}{pattern.suffix[0]}"
