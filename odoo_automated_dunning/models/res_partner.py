from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tools import hmac

from ..core import TONES, ConsentEntry, consent_state
from .dunning_consent import CONSENT_CHANNELS

CONSENT_SELECTION = [("allowed", "Allowed"), ("refused", "Refused"), ("objected", "Objected")]

# The UK Debt Respite Scheme's breathing space lasts 60 days (see shared COMPLIANCE rules).
BREATHING_SPACE_DAYS = 60


class ResPartner(models.Model):
    _inherit = "res.partner"

    # A customer's receivables contact: reminders go there before the invoice address.
    type = fields.Selection(
        selection_add=[("dunning", "Receivables/Dunning contact")],
        ondelete={"dunning": "set default"},
    )
    dunning_recipient_id = fields.Many2one(
        "res.partner",
        string="Reminders Go To",
        compute="_compute_dunning_recipient_id",
        help="The Receivables/Dunning contact with an email, else the invoice contact with an "
        "email, else the customer itself.",
    )
    dunning_policy_id = fields.Many2one(
        "dunning.policy",
        company_dependent=True,
        help="This customer's own policy; when empty, each invoice follows the first "
        "matching policy.",
    )
    dunning_pause_until = fields.Date(
        string="Pause Dunning Until",
        tracking=True,
        help="No reminder is sent to this customer up to and including this date.",
    )
    dunning_pause_reason = fields.Selection(
        [
            ("hardship", "Financial hardship"),
            ("breathing_space", "Breathing space (60 days)"),
            ("legal_hold", "Legal hold"),
            ("reply", "Customer replied to a reminder"),
            ("other", "Other"),
        ],
        string="Pause Reason",
        tracking=True,
        help="Why dunning is paused; who paused and when is kept in the chatter.",
    )
    dunning_communication_ids = fields.One2many(
        "dunning.communication",
        "partner_id",
        string="Reminders",
        readonly=True,
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_communication_count = fields.Integer(
        compute="_compute_dunning_communication_count",
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_new_reply_count = fields.Integer(
        string="New Replies",
        compute="_compute_dunning_new_reply_count",
        groups="odoo_automated_dunning.group_dunning_user",
        help="Answers to reminders the collector has not handled yet.",
    )
    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Current Dunning Level",
        compute="_compute_dunning_level_id",
        help="The highest level reached by this customer's open invoices.",
    )

    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="Gets this customer's dunning call tasks; when empty, the policy's collector.",
    )
    dunning_promise_ids = fields.One2many(
        "dunning.promise",
        "partner_id",
        string="Promises to Pay",
        readonly=True,
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_broken_promise_count = fields.Integer(
        string="Broken Promises",
        compute="_compute_dunning_promise_counts",
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_open_promise_count = fields.Integer(
        string="Open Promises",
        compute="_compute_dunning_promise_counts",
        groups="odoo_automated_dunning.group_dunning_user",
    )

    dunning_consent_ids = fields.One2many(
        "dunning.consent",
        "commercial_partner_id",
        string="Contact Consent",
        readonly=True,
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_consent_email = fields.Selection(
        CONSENT_SELECTION, string="Email Consent", compute="_compute_dunning_consent"
    )
    dunning_consent_sms = fields.Selection(
        CONSENT_SELECTION, string="SMS Consent", compute="_compute_dunning_consent"
    )
    dunning_consent_call = fields.Selection(
        CONSENT_SELECTION, string="Phone Call Consent", compute="_compute_dunning_consent"
    )
    dunning_consent_letter = fields.Selection(
        CONSENT_SELECTION, string="Letter Consent", compute="_compute_dunning_consent"
    )

    dunning_behaviour_id = fields.Many2one(
        "dunning.partner.behaviour",
        string="Payment Behaviour",
        compute="_compute_dunning_behaviour_id",
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_risk_score = fields.Float(
        string="Risk Score",
        compute="_compute_dunning_behaviour_id",
        help="See Payment Behaviour.",
        groups="odoo_automated_dunning.group_dunning_user",
    )

    @api.depends("child_ids.type", "child_ids.email")
    def _compute_dunning_recipient_id(self):
        commercial = self.commercial_partner_id
        recipients = self.env["dunning.facts"]._recipients(commercial)
        for partner in self:
            partner.dunning_recipient_id = recipients.get(partner.commercial_partner_id.id)

    @api.depends_context("company")
    def _compute_dunning_behaviour_id(self):
        records = self.env["dunning.partner.behaviour"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_partner = {record.partner_id: record for record in records}
        for partner in self:
            record = by_partner.get(partner.commercial_partner_id)
            partner.dunning_behaviour_id = record
            partner.dunning_risk_score = record.score if record else 0.0

    def _compute_dunning_consent(self):
        states = self._dunning_consent_states()
        for partner in self:
            state = states[partner.commercial_partner_id.id]
            for channel, _label in CONSENT_CHANNELS:
                partner[f"dunning_consent_{channel}"] = state[channel]

    def _dunning_consent_states(self):
        """{commercial partner id: {channel: state}} from the ledger of all its contacts."""
        commercial = self.commercial_partner_id
        entries = {pid: [] for pid in commercial.ids}
        for entry in (
            self.env["dunning.consent"]
            .sudo()
            # Oldest first: among entries of the same second, the later one wins.
            .search([("commercial_partner_id", "in", commercial.ids)], order="date, id")
        ):
            entries[entry.commercial_partner_id.id].append(
                ConsentEntry(entry.channel, entry.status, entry.date)
            )
        channels = [channel for channel, _label in CONSENT_CHANNELS]
        return {pid: consent_state(found, channels) for pid, found in entries.items()}

    def action_dunning_gdpr_export(self):
        """Download what dunning holds about the customer (JSON, and a CSV of the reminders)."""
        self.ensure_one()
        if not self.env.user.has_group("odoo_automated_dunning.group_dunning_user"):
            raise AccessError(
                self.env._("Only Dunning users may export a customer's dunning data.")
            )
        attachments = self.env["dunning.gdpr"]._export_attachments(self)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachments[0].id}?download=true",
            "target": "self",
        }

    def _dunning_preferences_token(self):
        """A secret per customer for the preferences and opt-out links (no login needed)."""
        self.ensure_one()
        return hmac(self.env(su=True), "dunning-preferences", self.commercial_partner_id.id)

    def _dunning_preferences_url(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        return (
            f"{partner.get_base_url()}/dunning/preferences/{partner.id}/"
            f"{self._dunning_preferences_token()}"
        )

    def _dunning_portal_token(self):
        """A secret per customer for its payments page, as invoice links have theirs."""
        self.ensure_one()
        return hmac(self.env(su=True), "dunning-portal", self.commercial_partner_id.id)

    def _dunning_portal_url(self):
        """The customer's overdue invoices, plans and pay buttons in the portal, no login needed."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return (
            f"{partner.get_base_url()}/my/dunning?partner_id={partner.id}"
            f"&access_token={partner._dunning_portal_token()}"
        )

    def _dunning_record_consent(self, wanted, source, evidence):
        """Ledger entries for the channels whose state changes to ``wanted`` {channel: state}."""
        self.ensure_one()
        partner = self.commercial_partner_id
        current = partner._dunning_consent_states()[partner.id]
        changes = {channel: state for channel, state in wanted.items() if current[channel] != state}
        self.env["dunning.consent"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "status": state,
                    "legal_basis": "contract",
                    "source": source,
                    "evidence": evidence,
                }
                for channel, state in changes.items()
            ]
        )
        return changes

    def action_dunning_record_consent(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Consent"),
            "res_model": "dunning.consent",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    @api.onchange("dunning_pause_reason")
    def _onchange_dunning_pause_reason(self):
        if self.dunning_pause_reason == "breathing_space" and not self.dunning_pause_until:
            self.dunning_pause_until = self.env.company._dunning_today() + timedelta(
                days=BREATHING_SPACE_DAYS
            )

    def _compute_dunning_promise_counts(self):
        groups = self.env["dunning.promise"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id", "state"],
            ["__count"],
        )
        counts = {(partner.id, state): count for partner, state, count in groups}
        for partner in self:
            pid = partner.commercial_partner_id.id
            partner.dunning_broken_promise_count = counts.get((pid, "broken"), 0)
            partner.dunning_open_promise_count = counts.get((pid, "open"), 0)

    def _compute_dunning_communication_count(self):
        counts = dict(
            self.env["dunning.communication"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.dunning_communication_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_dunning_new_reply_count(self):
        counts = dict(
            self.env["dunning.reply"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("state", "=", "new")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.dunning_new_reply_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_dunning_replies(self):
        self.ensure_one()
        return self.env["dunning.reply"]._action_open(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )

    @api.depends_context("company")
    def _compute_dunning_level_id(self):
        # The customers' open items first (by customer), then their invoices by id. Asked in
        # one query (invoices with a level and an open item of the customer), the planner may
        # start from every invoice with a level: the whole book just after a run, until the
        # statistics catch up (0.6 s of CPU per customer form at 100,000 invoices).
        open_lines = self.env["account.move.line"].search_fetch(
            self.env["dunning.facts"]._open_lines_domain(
                self.env.company, self.commercial_partner_id
            ),
            ["move_id"],
        )
        moves = open_lines.move_id
        moves.fetch(["dunning_level_id", "commercial_partner_id"])  # not every invoice column
        best = {}
        for move in moves:
            level = move.dunning_level_id
            if not level:
                continue
            partner = move.commercial_partner_id
            key = (TONES.index(level.tone), level.sequence, level.delay)
            if partner not in best or key > best[partner][0]:
                best[partner] = (key, level)
        for partner in self:
            found = best.get(partner.commercial_partner_id)
            partner.dunning_level_id = found[1] if found else False

    def _dunning_collector(self, policy=None):
        """Who collects this customer: its own collector, else the policy's, else its
        salesperson, else the current user (the administrator when a customer acts in the
        portal, or a scheduled action as OdooBot: no one reads OdooBot's tasks). Read in the
        customer's company (``with_company``)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        user = self.env.user
        if user.share or user._is_superuser():
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or user
        return (
            partner.dunning_responsible_id
            or (policy.responsible_id if policy else self.env["res.users"])
            or partner.user_id
            or user
        )

    def _dunning_has_address(self):
        """Enough of a postal address for a letter to arrive."""
        self.ensure_one()
        return bool(self.street and self.city and self.country_id)

    def action_dunning_send_now(self):
        """Remind these customers now: a run limited to them, through every policy and contact
        rule of the daily run (consent, contact hours, caps, pauses, disputes, plans)."""
        company = self.env.company
        run = self.env["dunning.run"].create(
            {
                "company_id": company.id,
                "date": company._dunning_today(),
                "partner_ids": [Command.set(self.commercial_partner_id.ids)],
            }
        )
        run.action_run()
        return {
            "type": "ir.actions.act_window",
            "res_model": "dunning.run",
            "res_id": run.id,
            "view_mode": "form",
        }

    def action_dunning_print_statement(self):
        self.ensure_one()
        return self.env.ref("odoo_automated_dunning.dunning_statement_report").report_action(
            self.commercial_partner_id
        )

    def _dunning_statement_pdf(self):
        """(file name, PDF bytes) of the customer's statement, to attach to a reminder."""
        self.ensure_one()
        partner = self.commercial_partner_id
        pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "odoo_automated_dunning.dunning_statement_report", partner.ids
        )
        return self.env._("Statement - %(customer)s.pdf", customer=partner.name), pdf

    def action_view_dunning_promises(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promises to Pay"),
            "res_model": "dunning.promise",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
        }

    def action_dunning_call_outcome(self):
        self.ensure_one()
        return self.env["dunning.call.outcome.wizard"]._action_open(
            self.commercial_partner_id, self.env["dunning.communication"]
        )

    def action_view_dunning_communications(self):
        self.ensure_one()
        return self.env["dunning.communication"]._action_open(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )
