from urllib.parse import urlsplit

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.odoo_automated_dunning.tests.common import DunningCommon

from ..tools import signature
from ..tools.standin import StandInTwilio

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f00dcafe" * 4
CALLER_ID = "+12025550100"


class VoiceCommon(DunningCommon, HttpCase):
    """A company with a Twilio account pointed at the stand-in, a level that calls, and
    helpers that post signed webhooks over HTTP as Twilio does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.twilio = StandInTwilio().start()
        cls.addClassCleanup(cls.twilio.stop)
        cls.env["ir.config_parameter"].sudo().set_param(
            "odoo_automated_dunning_voice.twilio_api_url", cls.twilio.url
        )
        company = cls.env.company
        company.write(
            {
                "sms_provider": "twilio",
                "sms_twilio_account_sid": ACCOUNT_SID,
                "sms_twilio_auth_token": AUTH_TOKEN,
                "phone": "+1 202 555 0199",
                "name": "Northwind Credit",
            }
        )
        cls.env["sms.twilio.number"].create(
            {"company_id": company.id, "number": CALLER_ID, "country_id": cls.env.ref("base.us").id}
        )
        cls.us = cls.env.ref("base.us")
        cls.debtor = cls._customer(
            "Jane Doe",
            "jane@example.com",
            phone="+1 202 555 0123",
            country_id=cls.us.id,
            is_company=False,
            lang="en_US",
            tz="America/New_York",
        )

    def setUp(self):
        super().setUp()
        self.twilio.requests.clear()

    @classmethod
    def _allow_voice(cls, partner, status="allowed"):
        return cls.env["dunning.consent"].create(
            {
                "partner_id": partner.id,
                "channel": "voice",
                "status": status,
                "legal_basis": "consent",
                "evidence": "Ticked the automated calls box on the credit application.",
            }
        )

    def _voice_reminder(self, partner, invoices, level=None):
        """A reminder on the voice channel for ``invoices``, as a run records it (escalated
        to ``level``), sent: its call queued for the placement job."""
        level = level or self.level1
        communication = (
            self.env["dunning.communication"]
            .sudo()
            .create(
                {
                    "company_id": self.env.company.id,
                    "date": invoices[:1].invoice_date_due,
                    "partner_id": partner.id,
                    "recipient_id": partner.id,
                    "policy_id": level.policy_id.id,
                    "level_id": level.id,
                    "tone": level.tone,
                    "channel": "voice",
                    "currency_id": invoices.currency_id[:1].id,
                    "amount_total": sum(invoices.mapped("amount_residual")),
                    "amount_company": sum(invoices.mapped("amount_residual")),
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": move.id,
                                "level_id": level.id,
                                "escalated": True,
                                "date_due": move.invoice_date_due,
                                "days_overdue": 10,
                                "amount_residual": move.amount_residual,
                            }
                        )
                        for move in invoices
                    ],
                }
            )
        )
        self.env["dunning.send.voice"]._send(communication)
        invoices._dunning_set_level(level.id, communication.date)
        return communication

    def _post_signed(self, url, params, token=AUTH_TOKEN, signed_url=None):
        """POST ``params`` to ``url`` over HTTP with Twilio's signature for ``signed_url``
        (default: the URL itself), as Twilio calls a webhook."""
        headers = {"X-Twilio-Signature": signature.compute(token, signed_url or url, params)}
        return self.url_open(urlsplit(url).path, data=params, headers=headers)

    def _place(self, communication):
        """Run the placement job; return the request the stand-in received for the call."""
        before = len(self.twilio.calls())
        self.env["dunning.communication"]._voice_place_due()
        calls = self.twilio.calls()
        self.assertEqual(len(calls), before + 1, "one call request reached the provider")
        return calls[-1]

    def _callback(self, communication, status, **extra):
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": communication.voice_call_sid,
            "CallStatus": status,
            "From": CALLER_ID,
            "To": communication.recipient_address,
            "ApiVersion": "2010-04-01",
            **extra,
        }
        response = self._post_signed(communication._voice_url("status"), params)
        communication.invalidate_recordset()
        return response

    def _answer(self, communication, answered_by="human"):
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": communication.voice_call_sid,
            "CallStatus": "in-progress",
            "AnsweredBy": answered_by,
        }
        response = self._post_signed(communication._voice_url("answer"), params)
        communication.invalidate_recordset()
        return response

    def _press(self, communication, digits):
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": communication.voice_call_sid,
            "Digits": digits,
        }
        response = self._post_signed(communication._voice_url("gather"), params)
        communication.invalidate_recordset()
        return response
