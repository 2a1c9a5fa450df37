from odoo import api, fields, models

from ..core import charges
from ..core.rates_seed import RATES

REFERENCES = [
    ("ecb_mro", "ECB main refinancing rate"),
    ("de_base", "Bundesbank base rate"),
    ("boe_base", "Bank of England Bank Rate"),
]


class DunningReferenceRate(models.Model):
    _name = "dunning.reference.rate"
    _description = "Reference Interest Rate"
    _order = "reference, date desc"

    reference = fields.Selection(REFERENCES, required=True, index=True)
    date = fields.Date(string="In Force From", required=True, index=True)
    rate = fields.Float(string="Rate (% p.a.)", required=True, digits=(6, 3))
    note = fields.Char()

    _reference_date_uniq = models.Constraint(
        "UNIQUE (reference, date)", "A reference has one rate per date."
    )

    @api.depends("reference", "date", "rate")
    def _compute_display_name(self):
        labels = dict(REFERENCES)
        for rate in self:
            rate.display_name = f"{labels.get(rate.reference, '')} {rate.date}: {rate.rate:.2f}%"

    @api.model
    def _load_seed(self):
        """Add the published history shipped with the addon; never overwrites an edited rate."""
        existing = {(r.reference, r.date) for r in self.search([])}
        self.create(
            [
                {"reference": reference, "date": day, "rate": float(rate)}
                for reference, day, rate in RATES
                if (reference, fields.Date.to_date(day)) not in existing
            ]
        )

    @api.model
    def _points(self):
        """Every rate as core rate points (a few hundred rows: read once per computation)."""
        return tuple(
            charges.RatePoint(rate.reference, rate.date, charges.to_decimal(rate.rate))
            for rate in self.search([])
        )
