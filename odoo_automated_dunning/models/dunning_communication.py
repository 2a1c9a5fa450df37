import base64
import io
import logging
from datetime import UTC, time

import lxml.html
from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import format_amount
from odoo.tools.pdf import PdfFileReader, PdfFileWriter
from odoo.tools.safe_eval import (
    safe_eval,
    time as safe_time,
)

from ..core import ContactWindow, charges, next_allowed
from .dunning_level import TONE_SELECTION
from .dunning_level_channel import CHANNEL_SELECTION

_logger = logging.getLogger(__name__)

SKIP_REASONS = [
    ("objected", "Objected to processing"),
    ("capped", "Held back by the frequency cap"),
    ("refused", "Channel refused by the customer"),
    ("paused", "Customer paused"),
    ("credit_covers", "Credits cover the overdue amount"),
    ("no_email", "No email address"),
    ("blacklisted", "Email blacklisted"),
    ("below_minimum", "Below the level's minimum amount"),
    ("no_channel", "No reachable channel"),
    ("disputed", "An invoice is disputed"),
]
PLAN_EVENTS = [
    ("proposal", "Plan proposal"),
    ("before", "Installment due soon"),
    ("after", "Installment overdue"),
    ("default", "Plan defaulted"),
]


def _hour(value):
    """A time of day from hours as a float (8.5 is 08:30); 24 is the end of the day."""
    if value >= 24:
        return time(23, 59, 59)
    minutes = round(value * 60)
    return time(minutes // 60, minutes % 60)


CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
    ("dispute", "Dispute raised"),
    ("promise", "Promise to pay"),
]


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
    sms_id = fields.Many2one("sms.sms", string="SMS", readonly=True, ondelete="set null")
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
    scheduled_at = fields.Datetime(
        string="Deferred To",
        readonly=True,
        help="Outside the contact hours in the customer's timezone, the email leaves at this "
        "moment and the call is planned for that day.",
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
        [("draft", "Draft"), ("sent", "Sent"), ("failed", "Failed"), ("skipped", "Skipped")],
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
            ("held_back", "Held Back by a Frequency Rule"),
            ("skipped", "Skipped"),
            ("failed", "Failed"),
            ("draft", "Not Sent Yet"),
        ],
        compute="_compute_decision",
        store=True,
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
        help="Kept after sending, so a delivery failure is seen by the next run.",
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
            billed = charges_.filtered(lambda c: c.state == "charged" and c.amount)
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

    @api.depends("partner_id")
    def _compute_preferences_url(self):
        for communication in self:
            communication.preferences_url = communication.partner_id._dunning_preferences_url()

    @api.depends("state", "skip_reason", "scheduled_at")
    def _compute_decision(self):
        for communication in self:
            if communication.state == "sent":
                communication.decision = "deferred" if communication.scheduled_at else "sent"
            elif communication.state == "skipped":
                communication.decision = (
                    "held_back" if communication.skip_reason == "capped" else "skipped"
                )
            else:
                communication.decision = communication.state

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

    def action_open_invoices(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.move_id.ids)],
        }

    def action_call_outcome(self):
        self.ensure_one()
        return self.env["dunning.call.outcome.wizard"]._action_open(self.partner_id, self)

    def action_print_letter(self):
        self.ensure_one()
        return self.env.ref("odoo_automated_dunning.dunning_letter_report").report_action(self)

    @api.model
    def _check_deliveries(self, company):
        """Reminders the mail server or the SMS provider refused: mark them failed.

        When no other channel of the same reminder reached the customer, its invoices go back
        to their previous level, so the next run sends them again. When another channel did,
        the level stands and the refused message is queued once more, as it was.
        """
        failed = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sent"),
                "|",
                "|",
                ("mail_id.state", "=", "exception"),
                ("mail_message_id.notification_ids.notification_status", "=", "bounce"),
                ("sms_id.state", "=", "error"),
            ]
        )
        if not failed:
            return failed
        reached = self.search(
            [
                ("run_id", "in", failed.run_id.ids),
                ("partner_id", "in", failed.partner_id.ids),
                ("state", "=", "sent"),
                ("id", "not in", failed.ids),
            ]
        )
        reached_keys = {(c.run_id.id, c.partner_id.id) for c in reached}
        sms_failures = dict(
            self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env)
        )
        for communication in failed:
            bounce = communication.mail_message_id.notification_ids.filtered(
                lambda n: n.notification_status == "bounce"
            )[:1]
            if bounce:
                reason = self.env._("bounced: %(reason)s", reason=bounce.failure_reason or "")
            elif communication.mail_id.state == "exception":
                reason = communication.mail_id.failure_reason or communication.mail_id.failure_type
            else:
                failure = communication.sms_id.failure_type
                reason = sms_failures.get(failure, failure) or self.env._("unknown error")
            message = self.env._("Delivery failed: %(reason)s", reason=reason)
            # A bounced address will bounce again: no point queuing the same mail once more.
            if (
                not bounce
                and (communication.run_id.id, communication.partner_id.id) in reached_keys
            ):
                if not communication.retry_count:
                    communication._requeue()
                    communication.write(
                        {
                            "retry_count": communication.retry_count + 1,
                            "error_message": self.env._(
                                "%(message)s. Queued once more.", message=message
                            ),
                        }
                    )
                else:
                    communication.write({"state": "failed", "error_message": message})
                continue
            communication.write({"state": "failed", "error_message": message})
            for line in communication.line_ids.filtered("escalated"):
                move = line.move_id
                # Only if no later reminder moved the invoice on since.
                if (
                    move.dunning_level_id == line.level_id
                    and move.dunning_last_date == communication.date
                ):
                    move._dunning_set_level(
                        line.previous_level_id.id or None, line.previous_date or None
                    )
        return failed

    def _requeue(self):
        """Queue the same message again, as it was rendered."""
        for communication in self:
            if communication.mail_id:
                communication.mail_id.write({"state": "outgoing", "failure_reason": False})
            elif communication.sms_id:
                communication.sms_id.write({"state": "outgoing", "failure_type": False})

    def _charge(self):
        """Bill the fees, compensation and interest of the levels reached, as draft documents.

        A reminder sent on several channels bills once, with its first channel.
        """
        charge_model = self.env["dunning.charge"]
        points = None  # the reference rates, read once for the batch when interest is due
        for communication in self.filtered("primary"):
            # Fee invoices and interest notes are dunned like any debt but bear no charges
            # themselves: no interest on interest.
            reached = communication.line_ids.filtered(
                lambda line: line.escalated and not line.move_id.dunning_charge_ids
            )
            fee_level = (
                communication.level_id if communication.level_id in reached.level_id else None
            )
            compensation = reached.filtered(lambda line: line.level_id.charge_compensation).move_id
            interest = reached.filtered(lambda line: line.level_id.charge_interest).move_id
            if not ((fee_level and fee_level.fee_amount) or compensation or interest):
                continue
            if interest and points is None:
                points = self.env["dunning.reference.rate"]._points()
            try:
                vals = charge_model._prepare(
                    communication.policy_id,
                    communication.partner_id,
                    communication.date,
                    fee_level=fee_level,
                    compensation_invoices=compensation,
                    interest_invoices=interest,
                    communication=communication,
                    points=points,
                )
            except charges.MissingRateError as error:
                communication.write({"state": "failed", "error_message": str(error)})
                continue
            charge_model._create_documents(vals)

    def _settle_charges(self):
        """Post the charges of sent reminders (if the policy says so); drop those of failed ones."""
        for communication in self.filtered("charge_ids"):
            documents = communication.charge_ids.charge_move_id
            if communication.state == "failed":
                communication.charge_ids.unlink()
                documents.unlink()
            elif communication.state == "sent" and communication.policy_id.post_charges:
                documents.action_post()

    def _send(self):
        """Send each draft on its channel; each channel works set-wise on its batch."""
        for channel, communications in self.grouped("channel").items():
            getattr(communications, f"_send_{channel}")()

    def _send_email(self):
        """Render each one in its recipient's language and queue it in Odoo's mail queue.

        The mail is linked to the customer so it shows in the customer's chatter; it leaves
        with the mail queue cron, after the run's transaction is committed, so a crash before
        the commit sends nothing. A template that fails to render fails its communication only.
        """
        self.line_ids.move_id._dunning_ensure_access_tokens()
        mail_vals = []
        sent = self.browse()
        for template, communications in self.grouped(
            lambda c: c.mail_template_id or c.level_id.mail_template_id
        ).items():
            rendered = communications._render_with(template)
            for communication in communications:
                values = rendered.get(communication.id)
                if isinstance(values, Exception) or values is None:
                    communication.write({"state": "failed", "error_message": str(values)})
                    continue
                sent |= communication
                mail_vals.append(communication._mail_values(template, values))
        mails = self.env["mail.mail"].sudo().create(mail_vals)
        # Notifications, as Odoo's own sends make them: delivery errors and bounces land there.
        self.env["mail.notification"].sudo().create(
            [
                {
                    "mail_mail_id": mail.id,
                    "mail_message_id": mail.mail_message_id.id,
                    "res_partner_id": communication.recipient_id.id,
                    "author_id": mail.author_id.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "is_read": True,
                }
                for communication, mail in zip(sent, mails, strict=True)
            ]
        )
        for communication, mail in zip(sent, mails, strict=True):
            communication.write(
                {
                    "state": "sent",
                    "mail_message_id": mail.mail_message_id.id,
                    "mail_id": mail.id,
                    "mail_template_id": (
                        communication.mail_template_id or communication.level_id.mail_template_id
                    ).id,
                    "subject": mail.subject,
                    "body": mail.body_html,
                    "recipient_address": communication.recipient_id.email,
                }
            )
        sent._attach_documents(mails)

    def _render_with(self, template):
        """{communication id: rendered values or the exception that stopped its rendering}."""
        fields_to_render = ["subject", "body_html", "email_from", "reply_to"]
        if not template:
            return {
                c.id: ValueError(
                    self.env._("Level %(level)s has no email template.", level=c.level_id.name)
                )
                for c in self
            }
        try:
            with self.env.cr.savepoint():
                return template._generate_template(self.ids, fields_to_render)
        except Exception:  # noqa: BLE001 - one broken record must not stop the batch
            _logger.info("Rendering %s failed for a batch, retrying one by one", template.name)
        results = {}
        for communication in self:
            try:
                with self.env.cr.savepoint():
                    results.update(template._generate_template(communication.ids, fields_to_render))
            except Exception as error:  # noqa: BLE001 - recorded on the communication
                results[communication.id] = error
        return results

    def _contact_moment(self):
        """Now if inside the company's contact hours in the customer's timezone, else the
        next opening (naive UTC, as Odoo stores datetimes)."""
        self.ensure_one()
        company = self.company_id
        place = self.recipient_id if self.recipient_id.country_id else self.partner_id
        start, end, weekdays_only = company._dunning_window(place.country_id)
        now = fields.Datetime.now()
        if (
            start <= 0
            and end >= 24
            and not weekdays_only
            and not company.dunning_closed_on_holidays
        ):
            return now
        window = ContactWindow(start=_hour(start), end=_hour(end), weekdays_only=weekdays_only)
        tz = self.recipient_id.tz or self.partner_id.tz or company.partner_id.tz or "UTC"
        closed = company._dunning_closed_days(place.country_id.code, place.state_id.code, now.year)
        moment = next_allowed(now.replace(tzinfo=UTC), tz, window, closed)
        return moment.replace(tzinfo=None)

    def _mail_values(self, template, values):
        self.ensure_one()
        company = self.company_id
        moment = self._contact_moment()
        if moment > fields.Datetime.now():
            self.scheduled_at = moment
        return {
            "scheduled_date": moment,
            "subject": values.get("subject") or "",
            "body_html": values.get("body_html") or "",
            "body": values.get("body_html") or "",
            "email_from": values.get("email_from") or company.email_formatted,
            "reply_to": values.get("reply_to") or False,
            "recipient_ids": [Command.link(self.recipient_id.id)],
            "model": "res.partner",
            "res_id": self.partner_id.id,
            "message_type": "email_outgoing",
            "author_id": company.partner_id.id,
            # Kept, not auto-deleted: its delivery state tells the next run whether to retry.
            "auto_delete": False,
            "is_notification": True,  # keeps the chatter message when the mail is cleaned up
            "record_company_id": company.id,
        }

    def _attach_documents(self, mails):
        """The invoice PDFs and the customer statement the levels ask for, on each mail."""
        for communication, mail in zip(self, mails, strict=True):
            level = communication.level_id
            if not (level.attach_invoices or level.attach_statement):
                continue
            files = []
            if level.attach_invoices:
                for move in communication.line_ids.move_id:
                    pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
                        "account.account_invoices", move.ids
                    )
                    files.append((f"{move._get_report_base_filename()}.pdf", pdf))
            if level.attach_statement:
                files.append(communication.partner_id._dunning_statement_pdf())
            attachments = self.env["ir.attachment"].create(
                [
                    {
                        "name": name,
                        "datas": base64.b64encode(content),
                        "mimetype": "application/pdf",
                        "res_model": "mail.message",
                        "res_id": mail.mail_message_id.id,
                    }
                    for name, content in files
                ]
            )
            mail.attachment_ids = [Command.link(a.id) for a in attachments]

    def _send_letter(self):
        """Render the letters of the batch in one PDF job; each is kept on its reminder."""
        report = self.env.ref("odoo_automated_dunning.dunning_letter_report")
        errors = {}
        try:
            with self.env.cr.savepoint():
                self.env["ir.actions.report"]._render_qweb_pdf(report, self.ids)
        except Exception:  # noqa: BLE001 - e.g. an unpatched wkhtmltopdf cannot split a batch
            # Odoo renders a batch as several documents, which only wkhtmltopdf with patched
            # Qt accepts; else one document for the whole batch, cut by the letters'
            # references; failing that, each letter on its own rather than fail them all.
            if self._render_letters_together(report):
                return self._record_letters(errors)
            _logger.info("Rendering %s letter(s) one by one", len(self))
            for communication in self:
                try:
                    with self.env.cr.savepoint():
                        self.env["ir.actions.report"]._render_qweb_pdf(report, communication.ids)
                except Exception as error:  # noqa: BLE001 - recorded, retried by the next run
                    errors[communication.id] = str(error)
        return self._record_letters(errors)

    def _render_letters_together(self, report):
        """One wkhtmltopdf call for the batch as one document, cut into one PDF per letter
        where each letter's reference first appears; False when it cannot be cut safely."""
        if len(self) < 2:
            return False
        Report = self.env["ir.actions.report"].with_context(debug=False)
        try:
            with self.env.cr.savepoint():
                html = Report._render_qweb_html(
                    report, self.ids, data={"report_type": "pdf", "debug": False}
                )[0]
                bodies, html_ids, header, footer, paper = report.with_context(
                    debug=False
                )._prepare_html(html, report_model=report.model)
                if html_ids != self.ids:
                    return False
                document = lxml.html.fromstring(bodies[0])
                target = document.xpath("//body")[0]
                for body in bodies[1:]:
                    for node in lxml.html.fromstring(body).xpath("//body")[0]:
                        node.set("style", f"page-break-before: always; {node.get('style', '')}")
                        target.append(node)
                pdf = Report._run_wkhtmltopdf(
                    [lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")],
                    report_ref=report,
                    header=header,
                    footer=footer,
                    specific_paperformat_args=paper,
                )
                reader = PdfFileReader(io.BytesIO(pdf))
                texts = ["".join((page.extract_text() or "").split()) for page in reader.pages]
                starts, page = [], 0
                for communication in self:
                    mark = communication._letter_reference()
                    while page < len(texts) and mark not in texts[page]:
                        page += 1
                    if page == len(texts):
                        return False
                    starts.append(page)
                if starts[0] != 0:
                    return False
                vals_list = []
                for index, communication in enumerate(self):
                    end = starts[index + 1] if index + 1 < len(starts) else len(texts)
                    writer = PdfFileWriter()
                    for number in range(starts[index], end):
                        writer.add_page(reader.pages[number])
                    stream = io.BytesIO()
                    writer.write(stream)
                    vals_list.append(
                        {
                            "name": safe_eval(
                                report.attachment, {"object": communication, "time": safe_time}
                            ),
                            "raw": stream.getvalue(),
                            "res_model": self._name,
                            "res_id": communication.id,
                            "type": "binary",
                        }
                    )
                self.env["ir.attachment"].create(vals_list)
        except Exception:  # noqa: BLE001 - the caller renders the letters one by one
            _logger.info("Rendering %s letter(s) as one document failed", len(self), exc_info=True)
            return False
        return True

    def _letter_reference(self):
        """Printed on each letter's first page: it tells the letters of a batch apart."""
        self.ensure_one()
        return f"DL{self.id:08d}"

    def _record_letters(self, errors):
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], order="id desc"
        )
        by_record = {}
        for attachment in attachments:
            by_record.setdefault(attachment.res_id, attachment)
        for communication in self:
            attachment = by_record.get(communication.id)
            if not attachment:
                communication.write(
                    {
                        "state": "failed",
                        "error_message": errors.get(communication.id)
                        or self.env._("The letter PDF could not be produced."),
                    }
                )
                continue
            communication.write(
                {
                    "state": "sent",
                    "letter_attachment_id": attachment.id,
                    "recipient_address": communication._postal_address(),
                    "subject": self.env._("Letter: %(level)s", level=communication.level_id.name),
                }
            )
        self.filtered(lambda c: c.state == "sent")._log_on_customer()

    def _postal_address(self):
        self.ensure_one()
        partner = self.recipient_id if self.recipient_id._dunning_has_address() else self.partner_id
        return partner._display_address(without_company=False).replace("\n", ", ")

    def _send_sms(self):
        """Queue the SMS in Odoo's SMS queue, rendered in the recipient's language."""
        self.line_ids.move_id._dunning_ensure_access_tokens()
        for template, communications in self.grouped(lambda c: c.level_id.sms_template_id).items():
            if not template:
                communications.write(
                    {
                        "state": "failed",
                        "error_message": self.env._("The level has no SMS template."),
                    }
                )
                continue
            try:
                with self.env.cr.savepoint():
                    bodies = template._render_field("body", communications.ids, compute_lang=True)
            except Exception as error:  # noqa: BLE001 - recorded, retried by the next run
                communications.write({"state": "failed", "error_message": str(error)})
                continue
            now = fields.Datetime.now()
            for communication in communications:
                moment = communication._contact_moment()
                communication.write(
                    {
                        "state": "sent",
                        "body": bodies[communication.id],
                        "recipient_address": communication._sms_number(),
                        # Outside the contact hours the rendered SMS waits for the release job.
                        "scheduled_at": moment if moment > now else False,
                    }
                )
            communications.filtered(lambda c: not c.scheduled_at)._queue_sms()
            communications._log_on_customer()

    def _queue_sms(self):
        """Hand the rendered SMS to Odoo's SMS queue, as they were recorded."""
        sms_records = self.env["sms.sms"].create(
            [
                {
                    "number": c.recipient_address,
                    "body": c.body,
                    "partner_id": c.recipient_id.id,
                    # Kept after sending: its state tells the next run whether to retry.
                    "to_delete": False,
                }
                for c in self
            ]
        )
        for communication, sms in zip(self, sms_records, strict=True):
            communication.sms_id = sms

    @api.model
    def _cron_release_deferred(self):
        """Every hour: SMS whose contact hours have opened go to the SMS queue."""
        due = self.sudo().search(
            [
                ("channel", "=", "sms"),
                ("state", "=", "sent"),
                ("sms_id", "=", False),
                ("anonymised", "=", False),
                ("scheduled_at", "<=", fields.Datetime.now()),
            ]
        )
        due._queue_sms()
        return due

    def _sms_number(self):
        self.ensure_one()
        for partner in (self.recipient_id, self.partner_id):
            if partner.phone_sanitized and not partner.phone_blacklisted:
                return partner.phone_sanitized
        return False

    def _send_call(self):
        """A call task for the customer's collector, due on the run date."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("res.partner")
        # No assignment email per task: a run may plan hundreds; collectors see their
        # activities in Odoo's activity menu.
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": c.partner_id.id,
                        "activity_type_id": call_type.id,
                        "user_id": c._collector().id,
                        "date_deadline": c._call_day(),
                        "summary": self.env._(
                            "Dunning call: %(level)s, %(total)s overdue",
                            level=c.level_id.name,
                            total=c.total_display,
                        ),
                        "note": c._invoice_summary(),
                    }
                    for c in self
                ]
            )
        )
        for communication, activity in zip(self, activities, strict=True):
            communication.write(
                {
                    "state": "sent",
                    "activity_id": activity.id,
                    "recipient_address": communication._call_number(),
                    "subject": activity.summary,
                }
            )

    def _call_day(self):
        """The run date, or the next day the contact hours open when they are closed now."""
        self.ensure_one()
        moment = self._contact_moment()
        return moment.date() if moment > fields.Datetime.now() else self.date

    def _call_number(self):
        self.ensure_one()
        return self.recipient_id.phone or self.partner_id.phone or False

    def _collector(self):
        """The customer's collector, else the policy's, else the salesperson, else the user."""
        self.ensure_one()
        partner = self.partner_id
        return (
            partner.dunning_responsible_id
            or self.policy_id.responsible_id
            or partner.user_id
            or self.env.user
        )

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

    def _log_on_customer(self):
        """A short note per reminder in the customer's chatter (emails are there already).

        One note per reminder, not one per customer: each note then lives and is forgotten
        with its own reminder under the retention period. Notes are logged in rounds of one
        reminder per customer, as Odoo's batch log takes one body per record.
        """
        labels = dict(CHANNEL_SELECTION)
        rounds = []
        for communications in self.grouped("partner_id").values():
            for rank, communication in enumerate(communications):
                if rank == len(rounds):
                    rounds.append(self.browse())
                rounds[rank] |= communication
        for batch in rounds:
            messages = batch.partner_id._message_log_batch(
                bodies={
                    communication.partner_id.id: Markup("<p>%s</p>%s")
                    % (
                        self.env._(
                            "%(channel)s sent (%(level)s) to %(address)s, total %(total)s:",
                            channel=labels[communication.channel],
                            level=communication.level_id.name,
                            address=communication.recipient_address or "",
                            total=communication.total_display,
                        ),
                        communication._invoice_summary(),
                    )
                    for communication in batch
                }
            )
            message_of = {message.res_id: message.id for message in messages}
            for communication in batch:
                communication.log_message_id = message_of[communication.partner_id.id]
