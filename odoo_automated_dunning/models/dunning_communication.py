from datetime import UTC, time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

from .. import core
from .dunning_level import TONE_SELECTION
from .dunning_level_channel import CHANNEL_SELECTION

SKIP_REASONS = list(core.SKIP_REASON_LABELS.items())
CALL_OUTCOMES = core.selection(core.CALL_OUTCOMES, core.CALL_OUTCOME_LABELS)
# The fate of a message: queued with the mail server or SMS provider's queue, sent once
# accepted (a letter once rendered, a call task once planned), failed when refused,
# bounced when a bounce came back. Mail and SMS hooks move it (mail_mail.py, sms_sms.py).
STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("bounced", "Bounced"),
    ("skipped", "Skipped"),
]
# A queued message counts as contact, like a sent one: for the levels, the frequency caps,
# the reports and "reminded".
CONTACT_STATES = ("queued", "sent")
# Its message reached no one.
UNDELIVERED_STATES = ("failed", "bounced")
PLAN_EVENTS = [
    ("proposal", "Plan proposal"),
    ("before", "Installment due soon"),
    ("after", "Installment overdue"),
    ("default", "Plan defaulted"),
]


def decision_of(state, skip_reason, scheduled_at, quota_deferred):
    """What the compliance checks decided about a reminder, for the audit trail: the one
    rule behind the stored ``decision``, also given by the run's bulk insert."""
    if state in CONTACT_STATES and quota_deferred:
        return "quota"
    if state in CONTACT_STATES:
        return "deferred" if scheduled_at else "sent"
    if state in UNDELIVERED_STATES:
        return "failed"
    if state == "skipped":
        return "held_back" if skip_reason == "capped" else "skipped"
    return state


def _hour(value):
    """A time of day from hours as a float (8.5 is 08:30); 24 is the end of the day."""
    if value >= 24:
        return time(23, 59, 59)
    minutes = round(value * 60)
    return time(minutes // 60, minutes % 60)


class DunningCommunication(models.Model):
    _name = "dunning.communication"
    _description = "Dunning Communication"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    run_id = fields.Many2one("dunning.run", ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    recipient_id = fields.Many2one(
        "res.partner",
        readonly=True,
        help="The customer's invoice contact when it has one, else the customer.",
    )
    policy_id = fields.Many2one("dunning.policy", readonly=True, index=True)
    level_id = fields.Many2one("dunning.level", readonly=True, index=True)
    # Copied, not related: history must keep the tone it was sent in if the level changes.
    tone = fields.Selection(TONE_SELECTION, readonly=True, index=True)
    channel = fields.Selection(
        CHANNEL_SELECTION, required=True, default="email", readonly=True, index=True
    )
    primary = fields.Boolean(
        string="Bills Charges",
        default=True,
        readonly=True,
        help="The first channel of a reminder sent on several: it carries the fees and interest.",
    )
    recipient_address = fields.Char(
        readonly=True, help="The email address, phone number or postal address used."
    )
    sms_id = fields.Many2one(
        "sms.sms", string="SMS", readonly=True, ondelete="set null", index="btree_not_null"
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Call Task", readonly=True, ondelete="set null"
    )
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter (PDF)", readonly=True, ondelete="set null"
    )
    letter_posted_date = fields.Date(
        string="Posted On", readonly=True, help="When the letter was handed to the post."
    )
    call_outcome = fields.Selection(CALL_OUTCOMES, readonly=True)
    call_date = fields.Datetime(readonly=True)
    promise_ids = fields.One2many("dunning.promise", "communication_id", readonly=True)
    reply_ids = fields.One2many(
        "dunning.reply", "communication_id", string="Customer Replies", readonly=True
    )
    reply_count = fields.Integer(string="Replies", compute="_compute_reply_count")
    scheduled_at = fields.Datetime(
        string="Deferred To",
        readonly=True,
        help="Outside the contact hours in the customer's timezone, the email leaves at this "
        "moment and the call is planned for that day.",
    )
    quota_deferred = fields.Boolean(
        string="Waits for the Email Quota",
        readonly=True,
        help="The company's email quota was used up: this email leaves at the moment shown, "
        "after the ones with more money at risk; it is never dropped.",
    )
    anonymised = fields.Boolean(
        readonly=True, help="Its text and address were removed under the retention period."
    )
    retry_count = fields.Integer(
        readonly=True, help="Times this message was queued again after a delivery failure."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Template",
        readonly=True,
        help="The template the message was sent with.",
    )
    variant_id = fields.Many2one(
        "dunning.level.variant",
        string="Template Variant",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The variant of the level's template experiment this reminder drew.",
    )
    plan_id = fields.Many2one(
        "dunning.payment.plan", string="Payment Plan", readonly=True, index="btree_not_null"
    )
    plan_installment_id = fields.Many2one(
        "dunning.payment.plan.installment", string="Installment", readonly=True
    )
    plan_event = fields.Selection(PLAN_EVENTS, readonly=True)
    line_ids = fields.One2many("dunning.communication.line", "communication_id", readonly=True)
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", search="_search_move_ids"
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_total = fields.Monetary(
        string="Total Due", currency_field="currency_id", readonly=True, aggregator=False
    )
    # Totals in different currencies cannot be added up; this one can.
    amount_company = fields.Monetary(
        string="Total Due (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="draft",
        index=True,
        readonly=True,
    )
    skip_reason = fields.Selection(SKIP_REASONS, readonly=True, index=True)
    error_message = fields.Text(readonly=True)
    decision = fields.Selection(
        [
            ("sent", "Sent"),
            ("deferred", "Deferred to Contact Hours"),
            ("quota", "Deferred by the Email Quota"),
            ("held_back", "Held Back by a Frequency Rule"),
            ("skipped", "Skipped"),
            ("failed", "Failed"),
            ("draft", "Not Sent Yet"),
        ],
        compute="_compute_decision",
        store=True,
        # Computed before the INSERT (and given by the run's bulk insert, dunning_bulk.py):
        # no UPDATE of every new reminder at the next flush.
        precompute=True,
        index=True,
        help="What the compliance checks decided, for the audit trail.",
    )
    decision_note = fields.Char(
        string="Rule Applied",
        readonly=True,
        help="The frequency rules that held channels back for this customer at that moment.",
    )
    mail_message_id = fields.Many2one("mail.message", readonly=True, index="btree_not_null")
    # The note this reminder left in the customer's chatter (letter or SMS sent, call
    # outcome): it names the invoices and the address, so the retention job must find it.
    log_message_id = fields.Many2one(
        "mail.message", string="Chatter Note", readonly=True, ondelete="set null"
    )
    mail_id = fields.Many2one(
        "mail.mail",
        string="Outgoing Email",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="Kept after sending: the mail server's answer settles the reminder.",
    )
    subject = fields.Char(readonly=True)
    body = fields.Html(readonly=True, sanitize=False, help="What was sent, as rendered.")
    charge_ids = fields.One2many("dunning.charge", "communication_id", readonly=True)
    billed_charge_ids = fields.Many2many(
        "dunning.charge", compute="_compute_charges", string="Charges Billed"
    )
    total_with_charges_display = fields.Char(
        compute="_compute_charges",
        string="Total with Charges",
        help="The listed invoices plus the fees and interest billed with this reminder.",
    )
    charge_note = fields.Text(
        compute="_compute_charges",
        string="Charges Not Made",
        help="Why the law allowed no fee, compensation or interest with this reminder.",
    )
    pay_url = fields.Char(compute="_compute_pay_url", string="Payment Link")
    preferences_url = fields.Char(
        compute="_compute_preferences_url",
        string="Contact Preferences Link",
        help="Where the customer sets how it may be contacted, without logging in.",
    )
    plan_url = fields.Char(
        compute="_compute_plan_url",
        string="Plan Link",
        help="The plan's page in the portal, with its access token (no login needed).",
    )
    total_display = fields.Char(
        compute="_compute_total_display",
        string="Total (per currency)",
        help="The listed invoices' total in each of their currencies, in the customer's language.",
    )

    _run_partner_channel_uniq = models.Constraint(
        "UNIQUE (run_id, partner_id, channel)",
        "A run sends at most one communication per customer and channel.",
    )

    @api.depends("partner_id", "channel", "date")
    def _compute_display_name(self):
        # "Customer · Channel · Date": a customer has many reminders, on several channels.
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for communication in self:
            parts = [communication.partner_id.name, channels.get(communication.channel)]
            if communication.date:
                parts.append(format_date(self.env, communication.date))
            communication.display_name = " · ".join(filter(None, parts))

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for communication in self:
            communication.move_ids = communication.line_ids.move_id

    def _search_move_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    @api.depends(
        "charge_ids.state", "charge_ids.reason", "charge_ids.amount", "line_ids.amount_residual"
    )
    def _compute_charges(self):
        for communication in self:
            charges_ = communication.charge_ids
            billed = charges_.filtered(lambda c: c.state in ("pending", "charged") and c.amount)
            communication.billed_charge_ids = billed
            communication.total_with_charges_display = communication._format_totals(
                [(line.currency_id, line.amount_residual) for line in communication.line_ids]
                + [(charge.currency_id, charge.amount) for charge in billed]
            )
            communication.charge_note = "\n".join(
                sorted(
                    set(charges_.filtered(lambda c: c.state == "not_charged").mapped("reason"))
                    - {False}
                )
            )

    def _compute_reply_count(self):
        counts = dict(
            self.env["dunning.reply"]._read_group(
                [("communication_id", "in", self.ids)], ["communication_id"], ["__count"]
            )
        )
        for communication in self:
            communication.reply_count = counts.get(communication, 0)

    @api.depends("partner_id")
    def _compute_preferences_url(self):
        for communication in self:
            communication.preferences_url = communication.partner_id._dunning_preferences_url()

    @api.depends("state", "skip_reason", "scheduled_at", "quota_deferred")
    def _compute_decision(self):
        for communication in self:
            communication.decision = decision_of(
                communication.state,
                communication.skip_reason,
                communication.scheduled_at,
                communication.quota_deferred,
            )

    @api.depends("plan_id")
    def _compute_plan_url(self):
        for communication in self:
            plan = communication.plan_id.sudo()
            communication.plan_url = (
                f"{plan.get_base_url()}{plan.get_portal_url()}" if plan else False
            )

    @api.depends("line_ids.move_id")
    def _compute_pay_url(self):
        for communication in self:
            lines = communication.line_ids
            communication.pay_url = (
                lines.pay_url if len(lines) == 1 else communication.partner_id._dunning_portal_url()
            )

    @api.depends("line_ids.amount_residual", "line_ids.currency_id", "recipient_id.lang")
    def _compute_total_display(self):
        for communication in self:
            communication.total_display = communication._format_totals(
                [(line.currency_id, line.amount_residual) for line in communication.line_ids]
            )

    def _format_totals(self, amounts):
        """'1.234,56 € + 300,00 £': the sum per currency, in the recipient's language."""
        self.ensure_one()
        totals = {}
        for currency, amount in amounts:
            totals[currency] = totals.get(currency, 0.0) + amount
        lang = self.recipient_id.lang or self.partner_id.lang
        return " + ".join(
            format_amount(self.env, amount, currency, lang_code=lang)
            for currency, amount in totals.items()
        )

    @api.model
    def _action_open(self, domain):
        """The reminders list, restricted to ``domain`` (used by the run, invoice and customer)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "odoo_automated_dunning.dunning_communication_action"
        )
        action["domain"] = domain
        action["context"] = {}
        return action

    def action_view_replies(self):
        self.ensure_one()
        return self.env["dunning.reply"]._action_open([("communication_id", "=", self.id)])

    def action_open_invoices(self):
        self.ensure_one()
        return self.line_ids.move_id._dunning_action_list()

    def action_call_outcome(self):
        self.ensure_one()
        return self.env["dunning.call.outcome.wizard"]._action_open(self.partner_id, self)

    def action_print_letter(self):
        self.ensure_one()
        return self.env.ref("odoo_automated_dunning.dunning_letter_report").report_action(self)

    def _contact_moment(self):
        """Now if inside the company's contact hours in the customer's timezone, else the
        next opening (naive UTC, as Odoo stores datetimes)."""
        self.ensure_one()
        now = fields.Datetime.now()
        _key, opening = self._contact_rule()
        if opening is None:
            return now
        return opening(now.replace(tzinfo=UTC)).replace(tzinfo=None)

    def _contact_rule(self):
        """(key, opening) of the contact hours this message keeps: ``opening(moment)`` is the
        first moment at or after ``moment`` (aware, UTC) they allow; messages with the same key
        follow the same rule. (None, None) when any moment is allowed."""
        self.ensure_one()
        company = self.company_id
        place = self.recipient_id if self.recipient_id.country_id else self.partner_id
        start, end, weekdays_only = company._dunning_window(place.country_id)
        if (
            start <= 0
            and end >= 24
            and not weekdays_only
            and not company.dunning_closed_on_holidays
        ):
            return None, None
        window = core.ContactWindow(start=_hour(start), end=_hour(end), weekdays_only=weekdays_only)
        tz = self.recipient_id.tz or self.partner_id.tz or company.partner_id.tz or "UTC"
        country, state = place.country_id.code, place.state_id.code

        def opening(moment):
            closed = company._dunning_closed_days(country, state, moment.year)
            return core.next_allowed(moment, tz, window, closed)

        return (company.id, start, end, weekdays_only, tz, country, state), opening

    def _letter_reference(self):
        """Printed on each letter's first page: it tells the letters of a batch apart."""
        self.ensure_one()
        return f"DL{self.id:08d}"

    @api.model
    def _cron_release_deferred(self):
        """Every hour: SMS whose contact hours have opened go to the SMS queue."""
        due = self.sudo().search(
            [
                ("channel", "=", "sms"),
                ("state", "=", "queued"),
                ("sms_id", "=", False),
                ("anonymised", "=", False),
                ("scheduled_at", "<=", fields.Datetime.now()),
            ]
        )
        self.env["dunning.send.sms"].sudo()._queue_sms(due)
        return due

    def _invoice_summary(self):
        self.ensure_one()
        items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(invoice)s, due %(due)s, %(days)s days overdue: %(amount)s",
                invoice=line.move_id.name,
                due=line.date_due,
                days=line.days_overdue,
                amount=format_amount(self.env, line.amount_residual, line.currency_id),
            )
            for line in self.line_ids
        )
        return Markup("<ul>%s</ul>") % items
