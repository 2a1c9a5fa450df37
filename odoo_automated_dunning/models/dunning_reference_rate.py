from odoo import api, fields, models
from odoo.tools import format_date

from ..core import charges, rate_files
from ..core.rates_seed import RATES

SEEDED_PARAM = "odoo_automated_dunning.seeded_reference_rates"

REFERENCES = [
    ("ecb_mro", "ECB main refinancing rate"),
    ("de_base", "Bundesbank base rate"),
    ("boe_base", "Bank of England Bank Rate"),
]


class DunningReferenceRate(models.Model):
    _name = "dunning.reference.rate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Reference Interest Rate"
    _order = "reference, date desc"

    reference = fields.Selection(REFERENCES, required=True, index=True, tracking=True)
    date = fields.Date(string="In Force From", required=True, index=True, tracking=True)
    rate = fields.Float(
        string="Rate (% p.a.)", required=True, digits=(6, 3), tracking=True, aggregator=False
    )
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
        """Add the published history shipped with the addon; never overwrites an edited rate.

        Runs on every module update, so each shipped row is added once only: a row the user
        deleted stays deleted (the keys already added are kept in a system parameter).
        """
        params = self.env["ir.config_parameter"].sudo()
        stored = params.get_param(SEEDED_PARAM, None)
        rows = self.search([])
        existing = {(r.reference, r.date) for r in rows}
        if stored is None:
            # Installed before the keys were kept: every shipped row up to the latest rate
            # of its reference was added then (a missing one was deleted).
            latest = {}
            for r in rows:
                latest[r.reference] = max(latest.get(r.reference, r.date), r.date)
            seeded = {
                f"{reference}@{day}"
                for reference, day, _rate in RATES
                if reference in latest and fields.Date.to_date(day) <= latest[reference]
            }
        else:
            seeded = set(filter(None, stored.split(",")))
        # No "created" note on each of a hundred seed rows; edits are still tracked.
        self.with_context(mail_create_nolog=True).create(
            [
                {"reference": reference, "date": day, "rate": float(rate)}
                for reference, day, rate in RATES
                if f"{reference}@{day}" not in seeded
                and (reference, fields.Date.to_date(day)) not in existing
            ]
        )
        params.set_param(
            SEEDED_PARAM,
            ",".join(sorted(seeded | {f"{reference}@{day}" for reference, day, _rate in RATES})),
        )

    @api.model
    def _points(self):
        """Every rate as core rate points (a few hundred rows: read once per computation)."""
        return tuple(
            charges.RatePoint(rate.reference, rate.date, charges.to_decimal(rate.rate))
            for rate in self.search([])
        )

    @api.model
    def _import_file(self, content):
        """Write the rates of a central bank's series file; returns (source, created, updated).

        Raises ``rate_files.RateFileError`` (a ValueError) naming what is wrong with the file.
        """
        rate_file = rate_files.read_rate_file(content)
        changes = rate_files.rate_changes(rate_file, self._points())
        existing = {
            rate.date: rate
            for rate in self.search(
                [
                    ("reference", "=", rate_file.reference),
                    ("date", "in", [point.date for point in changes]),
                ]
            )
        }
        note = self.env._("Imported from %(series)s", series=rate_file.source)
        updated = self.browse()
        for point in changes:
            if point.date in existing:
                existing[point.date].write({"rate": float(point.rate), "note": note})
                updated |= existing[point.date]
        self.with_context(mail_create_nolog=True).create(
            [
                {
                    "reference": point.reference,
                    "date": point.date,
                    "rate": float(point.rate),
                    "note": note,
                }
                for point in changes
                if point.date not in existing
            ]
        )
        return rate_file.source, len(changes) - len(updated), len(updated)

    @api.model
    def _ask_for_missing_rates(self, missing, company):
        """A to-do for a Dunning Manager per missing (reference, day), unless one is open.

        It sits on the latest rate of that reference (the list where the new one is entered).
        """
        manager = self._rate_manager(company)
        if not manager:
            return
        labels = dict(REFERENCES)
        # A to-do the system writes, whoever runs the reminders (users may only read rates).
        rate_model = self.sudo()
        for reference, day in sorted(missing):
            rates = rate_model.search([("reference", "=", reference)])
            anchor = rates.filtered(lambda r, day=day: r.date <= day)[:1] or rates[:1]
            if not anchor:
                continue  # nothing of this reference to attach to; the charges still say it
            # The ISO date in the summary, with the anchor among this reference's rates,
            # identifies the request whatever language it was written in.
            if rate_model.env["mail.activity"].search_count(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", rates.ids),
                    ("summary", "like", day.isoformat()),
                ],
                limit=1,
            ):
                continue
            in_lang = self.with_context(lang=manager.lang)
            label = dict(in_lang._fields["reference"]._description_selection(in_lang.env)).get(
                reference, labels[reference]
            )
            anchor.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=in_lang.env._(
                    "Enter the %(rate)s in force on %(date)s", rate=label, date=day.isoformat()
                ),
                note=in_lang.env._(
                    "Reminders went out without late payment interest: no %(rate)s is known for "
                    "%(date)s. Add the rate published for that date (or import the central "
                    "bank's file under Reference Rates); the next reminders charge the "
                    "interest not charged so far.",
                    rate=label,
                    date=format_date(in_lang.env, day),
                ),
            )

    @api.model
    def _rate_manager(self, company):
        """The Dunning Manager who keeps the rates: the first internal one of the company."""
        group = self.env.ref("odoo_automated_dunning.group_dunning_manager")
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("all_group_ids", "in", group.ids),
                    ("share", "=", False),
                    ("company_ids", "in", company.ids),
                    ("id", "!=", self.env.ref("base.user_root").id),
                ],
                order="id",
                limit=1,
            )
        )
