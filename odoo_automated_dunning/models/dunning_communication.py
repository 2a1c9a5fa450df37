import logging

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import format_amount

from ..core import charges
from .dunning_level import TONE_SELECTION

_logger = logging.getLogger(__name__)

SKIP_REASONS = [
    ("paused", "Customer paused"),
    ("credit_covers", "Credits cover the overdue amount"),
    ("no_email", "No email address"),
    ("blacklisted", "Email blacklisted"),
    ("below_minimum", "Below the level's minimum amount"),
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
    channel = fields.Selection([("email", "Email")], required=True, default="email", readonly=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Template",
        readonly=True,
        help="The template the message was sent with.",
    )
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
    mail_message_id = fields.Many2one("mail.message", readonly=True, index="btree_not_null")
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

    @api.depends("line_ids.move_id")
    def _compute_pay_url(self):
        for communication in self:
            lines = communication.line_ids
            communication.pay_url = (
                lines.pay_url
                if len(lines) == 1
                else f"{communication.get_base_url()}/my/invoices?filterby=unpaid"
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

    @api.model
    def _check_deliveries(self, company):
        """Reminders the mail server refused: mark them failed and put their invoices back on
        their previous level, so the next run sends them again, once."""
        failed = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sent"),
                ("mail_id.state", "=", "exception"),
            ]
        )
        for communication in failed:
            communication.write(
                {
                    "state": "failed",
                    "error_message": self.env._(
                        "Delivery failed: %(reason)s",
                        reason=communication.mail_id.failure_reason
                        or communication.mail_id.failure_type,
                    ),
                }
            )
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

    def _charge(self):
        """Bill the fees, compensation and interest of the levels reached, as draft documents."""
        charge_model = self.env["dunning.charge"]
        points = None  # the reference rates, read once for the batch when interest is due
        for communication in self:
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

    def _send_email(self):
        """Render each one in its recipient's language and queue it in Odoo's mail queue.

        The mail is linked to the customer so it shows in the customer's chatter; it leaves
        with the mail queue cron, after the run's transaction is committed, so a crash before
        the commit sends nothing. A template that fails to render fails its communication only.
        """
        self.line_ids.move_id._dunning_ensure_access_tokens()
        mail_vals = []
        sent = self.browse()
        for template, communications in self.grouped(lambda c: c.level_id.mail_template_id).items():
            rendered = communications._render_with(template)
            for communication in communications:
                values = rendered.get(communication.id)
                if isinstance(values, Exception) or values is None:
                    communication.write({"state": "failed", "error_message": str(values)})
                    continue
                sent |= communication
                mail_vals.append(communication._mail_values(template, values))
        mails = self.env["mail.mail"].sudo().create(mail_vals)
        for communication, mail in zip(sent, mails, strict=True):
            communication.write(
                {
                    "state": "sent",
                    "mail_message_id": mail.mail_message_id.id,
                    "mail_id": mail.id,
                    "mail_template_id": communication.level_id.mail_template_id.id,
                    "subject": mail.subject,
                    "body": mail.body_html,
                }
            )

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

    def _mail_values(self, template, values):
        self.ensure_one()
        company = self.company_id
        return {
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
