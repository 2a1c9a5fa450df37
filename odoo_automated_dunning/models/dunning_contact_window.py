from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningContactWindow(models.Model):
    """Contact hours for the customers of one country, instead of the company's."""

    _name = "dunning.contact.window"
    _description = "Dunning Contact Hours per Country"
    _order = "company_id, country_id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, index=True
    )
    country_id = fields.Many2one("res.country", required=True)
    start = fields.Float(string="Contact From", default=8.0, required=True)
    end = fields.Float(string="Contact Until", default=21.0, required=True)
    weekdays_only = fields.Boolean()
    note = fields.Char(help="The rule behind these hours, for whoever reviews them.")

    _company_country_uniq = models.Constraint(
        "UNIQUE (company_id, country_id)", "One set of contact hours per country and company."
    )

    @api.constrains("start", "end")
    def _check_hours(self):
        for window in self:
            if not 0 <= window.start < window.end <= 24:
                raise ValidationError(
                    self.env._(
                        "Contact hours for %(country)s must start before they end, between "
                        "0:00 and 24:00.",
                        country=window.country_id.name,
                    )
                )
