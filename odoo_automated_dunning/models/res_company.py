import functools
from datetime import datetime

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import core

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
    dunning_contact_window_ids = fields.One2many(
        "dunning.contact.window",
        "company_id",
        string="Contact Hours by Country",
        help="Hours for the customers of a country, instead of the company's.",
    )
    dunning_processing_record = fields.Html(
        string="Record of Processing",
        compute="_compute_dunning_processing_record",
        sanitize=False,
        help="GDPR art. 30: what dunning processes, why, for whom and how long, from the "
        "current settings.",
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
    dunning_cap_rule_ids = fields.One2many(
        "dunning.cap.rule", "company_id", string="Contact Frequency Rules"
    )
    dunning_preset = fields.Selection(
        [(key, preset.label) for key, preset in core.PRESETS.items()],
        string="Legal Preset",
        help="Sets the contact hours, closed days, retention and frequency rules from the rules "
        "of a jurisdiction; adjust them afterwards as your counsel advises.",
    )
    dunning_email_quota_hour = fields.Integer(
        string="Emails per Hour",
        default=0,
        help="At most this many emails of the company leave in a clock hour; reminders over it "
        "wait for the next free hours, most money at risk first, and are never dropped. Your "
        "mail provider sets the limit (SMTP providers each have their own). 0: no limit.",
    )
    dunning_email_quota_day = fields.Integer(
        string="Emails per Day",
        default=0,
        help="At most this many emails of the company leave in a day (in the company's "
        "timezone); Odoo Online allows 200 a day. Reminders over it wait for the next days, "
        "most money at risk first, and are never dropped. 0: no limit.",
    )
    dunning_retention_months = fields.Integer(
        string="Keep Reminder Texts (months)",
        default=36,
        help="Older reminders lose their text, subject, address or number and letter PDF "
        "(GDPR minimisation); amounts, dates and levels stay for the accounts. 0: keep all.",
    )

    @api.depends("dunning_retention_months", "name")
    def _compute_dunning_processing_record(self):
        for company in self:
            retention = (
                self.env._(
                    "texts, subjects, addresses and numbers of reminders: %(months)s months, "
                    "then blanked by a nightly job; amounts, dates and levels: as long as the "
                    "accounting records",
                    months=company.dunning_retention_months,
                )
                if company.dunning_retention_months
                else self.env._("kept as long as the accounting records (no retention set)")
            )
            rows = [
                (self.env._("Controller"), company.name),
                (
                    self.env._("Purpose"),
                    self.env._(
                        "collecting overdue receivables: payment reminders, fees and statutory "
                        "interest, promises to pay and payment plans"
                    ),
                ),
                (
                    self.env._("Legal basis"),
                    self.env._(
                        "contract (GDPR art. 6(1)(b)) for reminders; legitimate interest "
                        "(art. 6(1)(f)) for escalation, with the right to object (art. 21)"
                    ),
                ),
                (self.env._("Data subjects"), self.env._("customers and their contacts")),
                (
                    self.env._("Personal data"),
                    self.env._(
                        "name, email address, phone number, postal address, language, "
                        "timezone, open invoices and payments, reminders sent with their text, "
                        "call outcomes, promises to pay, contact consent, payment behaviour score"
                    ),
                ),
                (
                    self.env._("Recipients"),
                    self.env._(
                        "accounting users with the Dunning groups; the mail server, the SMS "
                        "provider and the postal service for the messages themselves"
                    ),
                ),
                (self.env._("Retention"), retention),
                (
                    self.env._("Security"),
                    self.env._(
                        "company record rules; access by user group; append-only consent "
                        "ledger; customers reach their preferences only through a secret link"
                    ),
                ),
            ]
            company.dunning_processing_record = Markup(
                "<table class='table table-sm'>%s</table>"
            ) % Markup("").join(
                Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, text) for label, text in rows
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

    def _dunning_today(self):
        """Today for this company: the date in its timezone (its partner's), whatever the
        server's is. Every dunning date (runs, plans, portal, wizards) starts from it."""
        self.ensure_one()
        # sudo: a portal visitor asks too, and may not read the company's partner.
        tz = pytz.timezone(self.sudo().partner_id.tz or self.env.user.tz or "UTC")
        return datetime.now(pytz.utc).astimezone(tz).date()

    def _dunning_window(self, country):
        """(start, end, weekdays only) for a customer of ``country``: its own rule, else ours."""
        self.ensure_one()
        for window in self.dunning_contact_window_ids:
            if window.country_id == country:
                return window.start, window.end, window.weekdays_only
        return self.dunning_window_start, self.dunning_window_end, self.dunning_weekdays_only

    def action_dunning_apply_preset(self):
        """Write the preset's parameters and replace the rules an earlier preset created;
        rules a user added stay."""
        for company in self:
            if not company.dunning_preset:
                raise UserError(
                    self.env._("%(company)s: choose a legal preset first.", company=company.name)
                )
            preset = core.PRESETS[company.dunning_preset]
            Rule = self.env["dunning.cap.rule"].with_context(active_test=False)
            Rule.search([("company_id", "=", company.id), ("preset", "!=", False)]).unlink()
            rules = []
            for placed in preset.rules:
                country = self.env["res.country"].search([("code", "=", placed.country)], limit=1)
                state = self.env["res.country.state"].search(
                    [("country_id", "=", country.id), ("code", "=", placed.state)], limit=1
                )
                rules.append(
                    {
                        "company_id": company.id,
                        "name": placed.rule.name,
                        "channel": placed.rule.channel or False,
                        "count": placed.rule.count,
                        "days": placed.rule.days,
                        "per_debt": placed.rule.per_debt,
                        "quiet_days": placed.rule.quiet_days,
                        "country_id": country.id,
                        "state_id": state.id if placed.state else False,
                        "preset": company.dunning_preset,
                    }
                )
            company.write(
                {
                    "dunning_window_start": preset.start,
                    "dunning_window_end": preset.end,
                    "dunning_weekdays_only": preset.weekdays_only,
                    "dunning_closed_on_holidays": preset.closed_on_holidays,
                    "dunning_retention_months": preset.retention_months,
                }
            )
            Rule.create(rules)
        return True

    def _dunning_cap_rules(self, partners):
        """{customer id: its frequency rules}: the general cap, then the placed rules. Built
        once for the company and picked per customer by place (a run asks for thousands)."""
        self.ensure_one()
        general = []
        if self.dunning_cap_count > 0:
            general.append(
                core.CapRule(
                    self.env._(
                        "Company cap: %(count)s per channel in %(days)s days",
                        count=self.dunning_cap_count,
                        days=self.dunning_cap_days,
                    ),
                    None,
                    self.dunning_cap_count,
                    self.dunning_cap_days,
                )
            )
        placed = [(rule, rule._core()) for rule in self.dunning_cap_rule_ids.sorted("sequence")]
        return {
            partner.id: general + [found for rule, found in placed if rule._applies_to(partner)]
            for partner in partners
        }

    def _dunning_closed_days(self, country_code, state_code, year):
        """Public holidays of the country (and state) for the year and the next one."""
        self.ensure_one()
        if not (self.dunning_closed_on_holidays and holidays and country_code):
            return frozenset()
        return _public_holidays(country_code, state_code or None, year)

    @api.constrains("dunning_email_quota_hour", "dunning_email_quota_day")
    def _check_dunning_email_quota(self):
        for company in self:
            hour, day = company.dunning_email_quota_hour, company.dunning_email_quota_day
            if hour < 0 or day < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: an email quota is 0 (no limit) or a number of emails, "
                        "never negative.",
                        company=company.name,
                    )
                )
            if hour and day and hour > day:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the hourly email quota (%(hour)s) cannot be above the "
                        "daily one (%(day)s); lower the hourly quota or raise the daily one.",
                        company=company.name,
                        hour=hour,
                        day=day,
                    )
                )

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
