import functools

from odoo import api, fields, models
from odoo.exceptions import ValidationError

try:  # optional: public holidays as closed days need the maintained `holidays` package
    import holidays
except ImportError:  # pragma: no cover - reported when the option is switched on
    holidays = None


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_window_start = fields.Float(
        string="Contact From",
        default=8.0,
        help="Earliest hour, in the customer's timezone, at which reminders are sent and calls "
        "planned (US Regulation F: 8:00).",
    )
    dunning_window_end = fields.Float(
        string="Contact Until",
        default=21.0,
        help="Latest hour, in the customer's timezone (US Regulation F: 21:00).",
    )
    dunning_weekdays_only = fields.Boolean(
        string="Weekdays Only", help="No reminder on Saturdays and Sundays."
    )
    dunning_closed_on_holidays = fields.Boolean(
        string="Closed on Public Holidays",
        help="No reminder on the public holidays of the customer's country (and state), from "
        "the maintained holidays calendar (Python package holidays).",
    )
    dunning_cap_count = fields.Integer(
        string="Contacts per Channel",
        default=0,
        help="At most this many reminders per customer and channel within the days below "
        "(e.g. 2 in 7 days for Massachusetts); 0: no cap.",
    )
    dunning_cap_days = fields.Integer(string="Within Days", default=7)
    dunning_retention_months = fields.Integer(
        string="Keep Reminder Texts (months)",
        default=36,
        help="Older reminders lose their text, subject, address or number and letter PDF "
        "(GDPR minimisation); amounts, dates and levels stay for the accounts. 0: keep all.",
    )

    @api.constrains("dunning_closed_on_holidays")
    def _check_dunning_holidays(self):
        if holidays is None and any(self.mapped("dunning_closed_on_holidays")):
            raise ValidationError(
                self.env._(
                    "Public holidays need the Python package holidays on the Odoo server: "
                    "pip install holidays, then tick the option again."
                )
            )

    def _dunning_closed_days(self, country_code, state_code, year):
        """Public holidays of the country (and state) for the year and the next one."""
        self.ensure_one()
        if not (self.dunning_closed_on_holidays and holidays and country_code):
            return frozenset()
        return _public_holidays(country_code, state_code or None, year)

    @api.constrains(
        "dunning_window_start", "dunning_window_end", "dunning_cap_count", "dunning_cap_days"
    )
    def _check_dunning_contact_rules(self):
        for company in self:
            if not 0 <= company.dunning_window_start < company.dunning_window_end <= 24:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the dunning contact window must start before it ends, "
                        "between 0:00 and 24:00.",
                        company=company.name,
                    )
                )
            if company.dunning_cap_count < 0 or company.dunning_cap_days < 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the contact cap needs 0 or more contacts within at least "
                        "one day.",
                        company=company.name,
                    )
                )


@functools.lru_cache(maxsize=256)
def _public_holidays(country_code, state_code, year):
    """Built once per place and year: a run asks for every reminder it sends."""
    try:
        calendar = holidays.country_holidays(
            country_code, subdiv=state_code, years=(year, year + 1)
        )
    except NotImplementedError:  # a country or state the calendar does not cover
        try:
            calendar = holidays.country_holidays(country_code, years=(year, year + 1))
        except NotImplementedError:
            return frozenset()
    return frozenset(calendar)
