from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import core

# Consent is given per dunning channel, in the dunning channels' own words.
CONSENT_CHANNELS = core.selection(core.CHANNELS, core.CHANNEL_LABELS)
# Names of channels before 19.0.5.0.0, still in preference pages and opt-out links sent then.
CHANNEL_ALIASES = {"phone": "call"}


class DunningConsent(models.Model):
    """Append-only ledger of what each customer accepts, refuses or objects to, per channel."""

    _name = "dunning.consent"
    _description = "Dunning Contact Consent"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Contact", required=True, index=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer"
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True)
    status = fields.Selection(
        [("allowed", "Allowed"), ("refused", "Refused"), ("objected", "Objected")],
        required=True,
        help="Objected (GDPR art. 21): no processing of any channel that is not needed for "
        "legal claims, until the customer allows a channel again.",
    )
    legal_basis = fields.Selection(
        [
            ("contract", "Contract"),
            ("legitimate_interest", "Legitimate interest"),
            ("consent", "Consent"),
        ],
        default="contract",
        required=True,
    )
    source = fields.Selection(
        [
            ("backoffice", "Back office"),
            ("portal", "Portal"),
            ("import", "Import"),
            ("reply", "Customer reply"),
        ],
        default="backoffice",
        required=True,
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded by", default=lambda s: s.env.user, readonly=True
    )
    evidence = fields.Text(help="What the customer said or signed, where.")

    @api.constrains("date")
    def _check_date(self):
        # A little clock skew between servers is fine; evidence dated ahead is not.
        latest = fields.Datetime.now() + timedelta(minutes=5)
        for entry in self:
            if entry.date > latest:
                raise ValidationError(
                    self.env._(
                        "The consent entry of %(contact)s is dated %(date)s, in the future; "
                        "record it with the date the customer gave it, today at the latest.",
                        contact=entry.partner_id.display_name,
                        date=entry.date,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["res.partner"].invalidate_model(
            [f"dunning_consent_{channel}" for channel, _label in CONSENT_CHANNELS]
        )
        return records

    def write(self, vals):
        self._check_append_only()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "The consent ledger is append-only: entries of %(contact)s cannot be deleted.",
                contact=self[:1].partner_id.display_name,
            )
        )

    def _check_append_only(self):
        # History is evidence for an auditor: a change of mind is a new entry, never an edit.
        raise UserError(
            self.env._(
                "The consent ledger is append-only: record a new entry for %(contact)s instead "
                "of changing this one.",
                contact=self[:1].partner_id.display_name,
            )
        )
