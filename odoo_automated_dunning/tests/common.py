import socket
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

import pytz
from aiosmtpd.controller import Controller

from odoo import Command, fields
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.sms.tools.sms_api import SmsApi


class SmtpServer:
    """aiosmtpd handler of a real SMTP server on this machine: it keeps what it accepts, or
    refuses every recipient with ``refusal`` (e.g. "550 5.1.1 mailbox unknown")."""

    def __init__(self, refusal=None):
        self.refusal = refusal
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refusal:
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content.decode(errors="replace"))
        return "250 Message accepted for delivery"


class DunningCommon(AccountTestInvoicingCommon):
    """A three-level policy (7 days, 2 weeks, 1 month) and helpers that go through Odoo's flows."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "odoo_automated_dunning.group_dunning_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.email = "credit@company.example.com"
        # Contact at any hour unless a test sets the window: runs are tested at midnight.
        cls.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        cls.immediate = cls.env.ref("account.account_payment_term_immediate")
        cls.templates = {
            tone: cls.env.ref(f"odoo_automated_dunning.mail_template_dunning_{tone}")
            for tone in ("friendly", "persuasive", "formal", "final")
        }
        cls.policy = cls.env["dunning.policy"].create(
            {
                "name": "Test reminders",
                "company_id": cls.env.company.id,
                "level_ids": [
                    Command.create(cls._level_vals("Reminder", 10, 7, "day", "friendly", 0)),
                    Command.create(cls._level_vals("Second", 20, 2, "week", "persuasive", 5)),
                    Command.create(cls._level_vals("Formal", 30, 1, "month", "formal", 5)),
                ],
            }
        )
        cls.level1, cls.level2, cls.level3 = cls.policy.level_ids.sorted("sequence")
        cls.customer = cls._customer("Acme Corp", "billing@acme.example.com")
        cls.other_customer = cls._customer("Globex", "ap@globex.example.com")

    @classmethod
    def _level_vals(cls, name, sequence, delay, unit, tone, gap):
        return {
            "name": name,
            "sequence": sequence,
            "delay": delay,
            "delay_unit": unit,
            "tone": tone,
            "minimum_gap_days": gap,
            "mail_template_id": cls.templates[tone].id,
        }

    @classmethod
    def _customer(cls, name, email, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "is_company": True,
                "property_payment_term_id": cls.immediate.id,
                **vals,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, currency=None, post=True, **vals):
        """A customer invoice, due on its invoice date (immediate payment), without taxes."""
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": cls.immediate.id,
                "currency_id": (currency or cls.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
                **vals,
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount=None, date=None):
        vals = {"payment_date": date or fields.Date.today()}
        if amount is not None:
            vals["amount"] = amount
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
            ._create_payments()
        )

    def _run(self, date, company=None):
        """Run the day ``date``; a later day than the frozen one is run on that day, the
        clock moved there at the same local hour, as the daily job would (a run never sends
        for a day that has not come)."""
        company = company or self.env.company
        run = self.env["dunning.run"].create({"date": date, "company_id": company.id})
        with self._on_day(run.date, company):
            run.action_run()
        return run

    @contextmanager
    def _on_day(self, day, company=None):
        """The clock moved forward to ``day`` in the company's timezone, if it is not there."""
        company = company or self.env.company
        tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
        local_now = datetime.now(pytz.utc).astimezone(tz)
        if local_now.date() >= day:
            yield
            return
        moment = tz.localize(datetime.combine(day, local_now.time().replace(tzinfo=None)))
        with freeze_time(moment.astimezone(pytz.utc).replace(tzinfo=None)):
            yield

    def _mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    @contextmanager
    def _smtp_server(self, refusal=None):
        """Odoo's mail queue sends through a real SMTP server started here (the test runner
        sends nothing unless told): yields its handler, which holds the messages accepted."""
        handler = SmtpServer(refusal)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        server = self.env["ir.mail_server"].create(
            {"name": "Local", "smtp_host": "127.0.0.1", "smtp_port": port, "sequence": 0}
        )
        try:
            with (
                patch.object(type(self.env["ir.mail_server"]), "_disable_send", return_value=False),
                mute_logger(
                    "odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server"
                ),
            ):
                yield handler
        finally:
            controller.stop()
            server.unlink()

    def _send_mail_queue(self):
        """The mail queue cron's work (it commits only outside tests)."""
        self.env["mail.mail"].process_email_queue()

    @contextmanager
    def _sms_provider(self, state):
        """The SMS provider's answer to every SMS sent ("success" or its error code), as
        Odoo's own SMS tests simulate IAP; everything on this side of it runs."""

        def answer(api, endpoint, params, timeout=15):
            return [
                {"uuid": number["uuid"], "state": state, "credit": 1}
                for message in params["messages"]
                for number in message["numbers"]
            ]

        with patch.object(SmsApi, "_contact_iap", answer):
            yield

    def _send_sms_queue(self):
        """The SMS queue cron's work (without its commit)."""
        self.env["sms.sms"].search([("state", "=", "outgoing")]).send(unlink_sent=False)
