from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.odoo_automated_dunning import core

from ..tools.providers import PROVIDERS, TwilioVoiceProvider

API_URL_PARAM = "odoo_automated_dunning_voice.{provider}_api_url"


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_voice_provider = fields.Selection(
        [(code, provider.label) for code, provider in PROVIDERS.items()],
        string="Automated Call Provider",
        default=TwilioVoiceProvider.code,
        required=True,
        help="Places the automated reminder calls, with the account set up for SMS (Settings > "
        "SMS > Twilio).",
    )
    dunning_voice_number_id = fields.Many2one(
        "sms.twilio.number",
        string="Caller ID",
        domain="[('company_id', '=', id)]",
        help="The number automated calls come from; empty: the company's Twilio number of "
        "the customer's country, else its first one.",
    )
    dunning_voice_number_consent = fields.Boolean(
        string="Number Given for the Debt Counts as Consent",
        help="An automated call may go to the number the customer had when the invoice was "
        "posted (US: prior express consent, FCC 07-232), never to a number added later. "
        "Unticked: only customers with a recorded consent to automated calls are called.",
    )
    dunning_voice_retry_minutes = fields.Integer(
        string="Call Again After (minutes)",
        default=120,
        help="A busy or unanswered automated call is placed once more after this delay, the "
        "same day and inside the contact hours; otherwise it is not retried.",
    )

    def action_dunning_apply_preset(self):
        result = super().action_dunning_apply_preset()
        for company in self:
            # US presets: the number given for the debt is prior express consent (FCC
            # 07-232); elsewhere only a recorded consent allows automated calls.
            company.dunning_voice_number_consent = core.PRESETS[
                company.dunning_preset
            ].voice_number_consent
        return result

    def _dunning_voice_provider(self):
        """The provider of the company's automated calls, with its account; a clear error
        naming the company and the setting to fix when it is not set up."""
        self.ensure_one()
        company = self.sudo()
        provider_class = PROVIDERS[company.dunning_voice_provider or TwilioVoiceProvider.code]
        if provider_class is TwilioVoiceProvider:
            if not (company.sms_twilio_account_sid and company.sms_twilio_auth_token):
                raise UserError(
                    self.env._(
                        "%(company)s has no Twilio account for automated calls: enter the "
                        "Account SID and Auth Token in Settings > SMS > Configure Twilio Account.",
                        company=company.name,
                    )
                )
            company._assert_twilio_sid()
            account, secret = company.sms_twilio_account_sid, company.sms_twilio_auth_token
        else:  # pragma: no cover - another provider brings its own credentials
            account, secret = company._dunning_voice_credentials()
        api_url = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(API_URL_PARAM.format(provider=provider_class.code))
            or provider_class.DEFAULT_API_URL
        )
        return provider_class(api_url, account, secret)

    def _dunning_voice_caller_id(self, to_number):
        """The caller ID for a call to ``to_number``: the chosen number, else one of the
        company's Twilio numbers of the callee's country, else its first."""
        self.ensure_one()
        company = self.sudo()
        if company.dunning_voice_number_id:
            return company.dunning_voice_number_id.number
        numbers = company.sms_twilio_number_ids
        prefix_match = numbers.filtered(
            lambda n: (
                n.country_id.phone_code and to_number.startswith(f"+{n.country_id.phone_code}")
            )
        )
        return (prefix_match or numbers)[:1].number or False
