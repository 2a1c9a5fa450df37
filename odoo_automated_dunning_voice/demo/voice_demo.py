"""The demo's automated call (scripts/demo), run inside Odoo after the demo's book is made.

It points the company's Twilio account at a local stand-in of Twilio's API, lets a run place
an automated call to a US customer who consented to them, then plays Twilio's part over HTTP
against the running Odoo: the signed request for what to say, the customer pressing 3 (a
promise to pay in 7 days) and the call's completion. It prints the call's transcript. Not
loaded by the addon's manifest.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import requests

from odoo import Command

from odoo.addons.odoo_automated_dunning_voice.tools import signature
from odoo.addons.odoo_automated_dunning_voice.tools.standin import StandInTwilio

ACCOUNT_SID = "AC" + "d3m0" * 8
AUTH_TOKEN = "demo-auth-token-not-a-secret"


def run(env, webhook_base_url):
    """Place one automated call and play Twilio's side of it against ``webhook_base_url``
    (an Odoo serving this database); return the reminder."""
    stand_in = StandInTwilio().start()
    try:
        communication = _place_call(env, stand_in)
        request = stand_in.calls()[-1]
        say(f"Twilio stand-in received: POST {request['path']}")
        for name in ("To", "From", "Url", "StatusCallback", "MachineDetection"):
            say(f"    {name} = {request['form'][name]}")
        sid = communication.voice_call_sid
        twiml = _webhook(webhook_base_url, request["form"]["Url"], CallSid=sid, AnsweredBy="human")
        say(f"Odoo answered Twilio with TwiML:\n    {twiml}")
        gather_url = communication._voice_url("gather")
        said = _webhook(webhook_base_url, gather_url, CallSid=sid, Digits="3")
        say(f"The customer pressed 3; Odoo answered:\n    {said}")
        status_url = request["form"]["StatusCallback"]
        for status, extra in (
            ("ringing", {}),
            ("in-progress", {}),
            ("completed", {"CallDuration": "41", "AnsweredBy": "human"}),
        ):
            _webhook(webhook_base_url, status_url, CallSid=sid, CallStatus=status, **extra)
        env.cr.commit()  # a new snapshot: the webhooks were handled by the serving Odoo
        env.invalidate_all()
        say(
            f"Reminder {communication.id}: {communication.state}, call {communication.voice_status}"
            f" ({communication.voice_outcome}), key {communication.voice_key_press}, "
            f"{communication.voice_duration} s; promise: "
            + ", ".join(
                f"{p.amount:.2f} {p.currency_id.name} by {p.date_promised}"
                for p in communication.promise_ids
            )
        )
        say("Call transcript:\n    " + (communication.voice_log or "").replace("\n", "\n    "))
        return communication
    finally:
        stand_in.stop()
        env["ir.config_parameter"].set_param("odoo_automated_dunning_voice.twilio_api_url", False)
        env.cr.commit()


def say(text):
    print(f"[automated call] {text}", flush=True)


def _place_call(env, stand_in):
    company = env.company
    env["ir.config_parameter"].set_param(
        "odoo_automated_dunning_voice.twilio_api_url", stand_in.url
    )
    company.write(
        {
            "sms_twilio_account_sid": ACCOUNT_SID,
            "sms_twilio_auth_token": AUTH_TOKEN,
            "phone": company.phone or "+1 202 555 0100",
        }
    )
    if not company.sms_twilio_number_ids:
        env["sms.twilio.number"].create(
            {
                "company_id": company.id,
                "number": "+12025550100",
                "country_id": env.ref("base.us").id,
            }
        )
    customer = env["res.partner"].create(
        {
            "name": "Sam Carter",
            "email": "sam.carter@example.com",
            "phone": "+1 202 555 0187",
            "country_id": env.ref("base.us").id,
            "tz": "America/New_York",
            "lang": "en_US",
        }
    )
    env["dunning.consent"].create(
        {
            "partner_id": customer.id,
            "channel": "voice",
            "status": "allowed",
            "legal_basis": "consent",
            "evidence": "Ticked 'automated reminder calls' on the signed credit application.",
        }
    )
    policy = env["dunning.policy"].create(
        {
            "name": "Automated calls (US consumers)",
            "company_id": company.id,
            "sequence": 99,
            "level_ids": [
                Command.create(
                    {
                        "name": "Automated reminder call",
                        "delay": 5,
                        "tone": "friendly",
                        "mail_template_id": env.ref(
                            "odoo_automated_dunning.mail_template_dunning_friendly"
                        ).id,
                        "channel_ids": [
                            Command.create({"channel": "voice", "sequence": 1}),
                            Command.create({"channel": "email", "sequence": 2, "fallback": True}),
                        ],
                    }
                )
            ],
        }
    )
    customer.with_company(company).dunning_policy_id = policy
    today = company._dunning_today()
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_date": today - timedelta(days=12),
            "invoice_date_due": today - timedelta(days=12),
            "invoice_line_ids": [
                Command.create({"name": "Home broadband, May", "quantity": 1, "price_unit": 129.0})
            ],
        }
    )
    invoice.action_post()
    customer.action_dunning_send_now()
    communication = env["dunning.communication"].search(
        [("partner_id", "=", customer.id), ("channel", "=", "voice")], limit=1
    )
    env.cr.commit()
    env["dunning.communication"]._voice_place_due(commit=True)
    env.invalidate_all()
    return communication


def _webhook(base_url, signed_url, **params):
    """POST as Twilio does: to the Odoo at ``base_url``, signed for ``signed_url``."""
    headers = {"X-Twilio-Signature": signature.compute(AUTH_TOKEN, signed_url, params)}
    response = requests.post(
        base_url + urlsplit(signed_url).path, data=params, headers=headers, timeout=30
    )
    response.raise_for_status()
    return response.text
