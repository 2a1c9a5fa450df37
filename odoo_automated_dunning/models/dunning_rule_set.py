import dataclasses
from decimal import Decimal

from odoo import api, fields, models

from ..core import charges
from .dunning_reference_rate import REFERENCES

RULE_SET_CODES = [(code, rule_set.name) for code, rule_set in charges.RULE_SETS.items()]


class DunningRuleSet(models.Model):
    """A jurisdiction's late-payment rules; the law is in the core, the rates here are editable."""

    _name = "dunning.rule.set"
    _description = "Late Payment Rule Set"
    _order = "code, date_from desc, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(RULE_SET_CODES, string="Law", required=True)
    active = fields.Boolean(default=True)
    date_from = fields.Date(
        string="Valid From",
        help="Charges made from this date follow this version; leave empty for the first version.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="A policy that chooses by country applies this rule set to customers of these "
        "countries.",
    )
    reference = fields.Selection(
        REFERENCES, help="The reference rate interest is based on; empty: no statutory interest."
    )
    margin = fields.Float(
        string="Margin (points)", digits=(6, 3), help="Points over the reference, businesses."
    )
    consumer_interest = fields.Boolean(
        help="Whether statutory interest is charged to consumers under this rule set."
    )
    consumer_margin = fields.Float(string="Consumer Margin (points)", digits=(6, 3))
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        string="Currency of the Law",
        help="Statutory amounts and the levels' fees are in this currency, converted at the run "
        "date into the invoice's currency; empty: the company's currency.",
    )
    note = fields.Text(compute="_compute_note", string="What the Law Says")

    @api.depends("code")
    def _compute_currency_id(self):
        codes = {law.currency for law in charges.RULE_SETS.values() if law.currency}
        currencies = {
            currency.name: currency
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", sorted(codes))])
        }
        for rule_set in self:
            law = charges.RULE_SETS.get(rule_set.code)
            rule_set.currency_id = currencies.get(law.currency) if law and law.currency else False

    @api.depends("code")
    def _compute_note(self):
        for rule_set in self:
            law = charges.RULE_SETS.get(rule_set.code)
            rule_set.note = "\n".join(
                text
                for text in (
                    law and law.consumer_interest_rule,
                    law and law.consumer_costs_rule,
                    law and law.consumer_fees_rule,
                )
                if text
            )

    def _core(self):
        """The core rule set, with this record's editable rates."""
        self.ensure_one()
        return dataclasses.replace(
            charges.RULE_SETS[self.code],
            reference=self.reference or None,
            margin=Decimal(str(self.margin)),
            consumer_margin=Decimal(str(self.consumer_margin)) if self.consumer_interest else None,
        )

    def _law_currency(self, company):
        """The currency of the statutory amounts and fees: the law's, else the company's."""
        return self[:1].currency_id or company.currency_id

    @api.model
    def _for_partner(self, policy, partner, day):
        """The policy's rule set, or the one of the customer's country, in force on ``day``."""
        candidates = self.browse()
        if policy.rule_set_by_country and partner.country_id:
            candidates = self.search([("country_ids", "in", partner.country_id.ids)])
        if not candidates and policy.rule_set_id:
            candidates = self.search([("code", "=", policy.rule_set_id.code)])
        in_force = candidates.filtered(lambda r: not r.date_from or r.date_from <= day)
        return in_force.sorted(lambda r: r.date_from or fields.Date.to_date("1900-01-01"))[-1:]
