import logging
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_amount, format_date

from odoo.addons.odoo_automated_dunning.core import ContactWindow, next_allowed
from odoo.addons.odoo_automated_dunning.models.dunning_communication import CONTACT_STATES, _hour

from ..tools import providers, twiml

_logger = logging.getLogger(__name__)

VOICE_STATUSES = [
    ("pending", "To Place"),
    ("placing", "Placing"),
    ("queued", "Queued"),
    ("initiated", "Dialling"),
    ("ringing", "Ringing"),
    ("in-progress", "In Progress"),
    ("completed", "Completed"),
    ("busy", "Busy"),
    ("no-answer", "No Answer"),
    ("failed", "Failed"),
    ("canceled", "Cancelled"),
]
KEY_PRESSES = [
    (twiml.KEY_PAY_LINK, "1: pay link sent"),
    (twiml.KEY_CALL_BACK, "2: call back requested"),
    (twiml.KEY_PROMISE, "3: promise to pay in 7 days"),
    (twiml.KEY_STOP, "9: no more automated calls"),
]
VOICE_OUTCOMES = [
    ("answered", "Answered"),
    ("voicemail", "Voicemail"),
    ("no_answer", "No answer"),
    ("failed", "Failed"),
]
# Twilio's AnsweredBy values, reduced to who picked up.
ANSWERED_BY = [("human", "Person"), ("machine", "Answering machine"), ("fax", "Fax")]
PROMISE_DAYS = 7
PLACE_BATCH = 50


class DunningCommunication(models.Model):
    _inherit = "dunning.communication"

    channel = fields.Selection(
        selection_add=[("voice", "Automated call")], ondelete={"voice": "set call"}
    )
    skip_reason = fields.Selection(
        selection_add=[("no_voice_consent", "No consent to automated calls")],
        ondelete={"no_voice_consent": "set null"},
    )
    voice_status = fields.Selection(
        VOICE_STATUSES,
        string="Call Status",
        readonly=True,
        index="btree_not_null",
        help="The automated call's state, as the provider reports it.",
    )
    voice_call_sid = fields.Char(string="Provider Call ID", readonly=True, index="btree_not_null")
    voice_language = fields.Char(
        string="Spoken Language", readonly=True, help="The text-to-speech language (Twilio code)."
    )
    voice_voicemail_text = fields.Text(
        string="Voicemail Text", readonly=True, help="Left on an answering machine, if anything."
    )
    voice_answered_by = fields.Selection(ANSWERED_BY, string="Answered By", readonly=True)
    voice_duration = fields.Integer(string="Call Duration (s)", readonly=True)
    voice_attempts = fields.Integer(string="Call Attempts", readonly=True)
    voice_key_press = fields.Selection(KEY_PRESSES, string="Key Pressed", readonly=True)
    voice_outcome = fields.Selection(
        VOICE_OUTCOMES,
        string="Automated Call Outcome",
        compute="_compute_voice_outcome",
        store=True,
        index="btree_not_null",
    )
    voice_log = fields.Text(
        string="Call Transcript",
        readonly=True,
        help="What the call said and every event the provider reported, in order.",
    )
    voice_oldest_due = fields.Char(
        string="Oldest Due Date",
        compute="_compute_voice_oldest_due",
        help="The earliest due date of the listed invoices, in the customer's language.",
    )
    voice_callback_number = fields.Char(
        string="Call-back Number",
        compute="_compute_voice_callback_number",
        help="The number the call gives to call back: the company's phone, else the caller ID.",
    )

    @api.depends("voice_status", "voice_answered_by")
    def _compute_voice_outcome(self):
        for communication in self:
            status = communication.voice_status
            if status == "completed":
                communication.voice_outcome = (
                    "voicemail" if communication.voice_answered_by == "machine" else "answered"
                )
            elif status in ("busy", "no-answer"):
                communication.voice_outcome = "no_answer"
            elif status in ("failed", "canceled"):
                communication.voice_outcome = "failed"
            else:
                communication.voice_outcome = False

    @api.depends("line_ids.date_due", "recipient_id.lang")
    def _compute_voice_oldest_due(self):
        for communication in self:
            dates = communication.line_ids.mapped("date_due")
            communication.voice_oldest_due = (
                format_date(self.env, min(dates), lang_code=communication._voice_lang())
                if dates
                else ""
            )

    @api.depends("company_id.phone")
    def _compute_voice_callback_number(self):
        for communication in self:
            company = communication.company_id
            communication.voice_callback_number = company.phone or (
                company._dunning_voice_caller_id(communication.recipient_address or "")
                if company
                else False
            )

    # ----------------------------------------------------------------------------------------
    # Sending: render the scripts now, place the call once the run is committed
    # ----------------------------------------------------------------------------------------

    def _voice_lang(self):
        self.ensure_one()
        return self.recipient_id.lang or self.partner_id.lang or self.env.lang or "en_US"

    def _voice_number(self):
        """The number to call, in international format: the recipient's, else the customer's;
        a number on Odoo's phone blacklist is never called."""
        self.ensure_one()
        return self.env["dunning.send.sms"]._sms_number(self)

    def _voice_url(self, kind):
        """Where the provider posts: ``answer`` (what to say), ``gather`` (the key pressed)
        and ``status`` (the call's progress). The provider signs these exact URLs."""
        self.ensure_one()
        return f"{self.get_base_url()}/dunning_voice/{kind}/{self.id}"

    def _voice_note_on_customer(self):
        labels = dict(self._fields["voice_status"]._description_selection(self.env))
        for communication in self:
            # Linked, so the retention job blanks this copy of the number and amounts too.
            communication.log_message_id = communication.partner_id._message_log(
                body=Markup("<p>%s</p>%s")
                % (
                    self.env._(
                        "Automated call (%(level)s) to %(number)s, total %(total)s: %(status)s",
                        level=communication.level_id.name,
                        number=communication.recipient_address,
                        total=communication.total_display,
                        status=labels[communication.voice_status],
                    ),
                    communication._invoice_summary(),
                )
            )

    def _voice_log_event(self, text):
        """One line of the call's transcript, with the time (UTC)."""
        for communication in self:
            stamp = fields.Datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            lines = [communication.voice_log or "", f"{stamp} UTC  {text}"]
            communication.voice_log = "\n".join(line for line in lines if line)

    # ----------------------------------------------------------------------------------------
    # Placing the calls
    # ----------------------------------------------------------------------------------------

    @api.model
    def _cron_voice_place(self):
        self._voice_place_due(commit=True)

    @api.model
    def _voice_place_due(self, commit=False, limit=PLACE_BATCH):
        """Place the calls whose time has come, each checked again against the contact rules.

        With ``commit``, each call is marked as being placed and committed before the request,
        so a crash between the two can never place it twice.
        """
        due = self.sudo().search(
            [
                ("channel", "=", "voice"),
                ("voice_status", "=", "pending"),
                ("state", "=", "sent"),
                "|",
                ("scheduled_at", "=", False),
                ("scheduled_at", "<=", fields.Datetime.now()),
            ],
            order="scheduled_at, id",
            limit=limit,
        )
        if commit:
            self.env["ir.cron"]._commit_progress(remaining=len(due))
        for communication in due:
            communication.with_company(communication.company_id)._voice_place(commit)
        return due

    def _voice_place(self, commit=False):
        self.ensure_one()
        held = self._voice_held_reason()
        if held:
            skip_reason, message = held
            self._voice_cancel(message, skip_reason)
            return
        moment = self._contact_moment()
        if moment > fields.Datetime.now():
            # The contact hours closed (or a closed day began) since it was queued: wait.
            self.scheduled_at = moment
            return
        try:
            provider = self.company_id._dunning_voice_provider()
        except UserError as error:
            self._voice_fail(str(error))
            return
        caller_id = self.company_id._dunning_voice_caller_id(self.recipient_address)
        if not caller_id:
            self._voice_fail(
                self.env._(
                    "%(company)s has no Twilio number to call from: add one in Settings > SMS "
                    "> Configure Twilio Account.",
                    company=self.company_id.name,
                )
            )
            return
        self.write({"voice_status": "placing", "voice_attempts": self.voice_attempts + 1})
        if commit:
            self.env["ir.cron"]._commit_progress()
        placed = provider.place_call(
            to=self.recipient_address,
            caller_id=caller_id,
            answer_url=self._voice_url("answer"),
            status_url=self._voice_url("status"),
        )
        if placed.ok:
            self.write({"voice_status": placed.status, "voice_call_sid": placed.sid})
            self._voice_log_event(
                self.env._(
                    "Call %(sid)s placed from %(caller)s to %(number)s (%(language)s).",
                    sid=placed.sid,
                    caller=caller_id,
                    number=self.recipient_address,
                    language=self.voice_language,
                )
            )
        else:
            self._voice_fail(placed.error)
        if commit:
            self.env["ir.cron"]._commit_progress(1)

    def _voice_held_reason(self):
        """(skip reason, message) when the contact rules forbid the call now, else None:
        the customer refused automated calls or objected since, is paused, disputes an
        invoice, or has paid everything the call is about."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        consent = self._voice_consent_held()
        if consent:
            return consent
        if partner.dunning_pause_until and partner.dunning_pause_until >= self._voice_today():
            return "paused", self.env._("Customer paused.")
        moves = self.line_ids.move_id
        if any(moves.mapped("dunning_dispute")):
            return "disputed", self.env._("An invoice is disputed.")
        if not moves.filtered(lambda m: m.payment_state in ("not_paid", "partial")):
            return "credit_covers", self.env._("Paid since the reminder was decided.")
        return None

    def _voice_consent_held(self):
        """(skip reason, message) when the number may not get automated calls: refused or
        objected in the ledger, or no prior express consent (a recorded one, or the number
        given for one of the invoices where the company's preset counts it)."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        state, recorded = partner._dunning_voice_consent()[partner.id]
        if state == "objected":
            return "objected", self.env._("The customer objected to processing.")
        if state == "refused":
            return "refused", self.env._("Automated calls refused by the customer.")
        if recorded:
            return None
        numbers = set(self.line_ids.move_id.mapped("dunning_voice_number"))
        if self.company_id.dunning_voice_number_consent and self.recipient_address in numbers:
            return None
        return "no_voice_consent", self.env._(
            "No prior express consent to automated calls to %(number)s.",
            number=self.recipient_address,
        )

    def _voice_tz(self):
        self.ensure_one()
        return self.recipient_id.tz or self.partner_id.tz or self.company_id.partner_id.tz or "UTC"

    def _voice_today(self):
        """Today for the customer called."""
        return fields.Date.context_today(self.with_context(tz=self._voice_tz()))

    def _voice_cancel(self, message, skip_reason=False):
        """The call will not be placed: recorded as skipped with the reason; its invoices go
        back to their previous level when nothing else reached the customer."""
        self.ensure_one()
        self._voice_log_event(self.env._("Not placed: %(reason)s", reason=message))
        self.write({"voice_status": "canceled"})
        self._voice_undo(
            {"state": "skipped", "skip_reason": skip_reason or False, "error_message": message}
        )

    def _voice_fail(self, message):
        self.ensure_one()
        self._voice_log_event(message)
        self._voice_undo(
            {
                "state": "failed",
                "voice_status": self.voice_status
                if self.voice_status in providers.FINAL_STATUSES
                else "failed",
                "error_message": message,
            }
        )

    def _voice_undo(self, vals):
        """Write ``vals``; when no other channel of the same reminder reached the customer,
        its invoices go back to their previous level, so the next run reminds them again."""
        self.ensure_one()
        self.write(vals)
        reached = self.run_id and self.search_count(
            [
                ("run_id", "=", self.run_id.id),
                ("partner_id", "=", self.partner_id.id),
                ("state", "in", CONTACT_STATES),
                ("id", "!=", self.id),
            ],
            limit=1,
        )
        if reached:
            return
        for line in self.line_ids.filtered("escalated"):
            move = line.move_id
            if move.dunning_level_id == line.level_id and move.dunning_last_date == self.date:
                move._dunning_set_level(
                    line.previous_level_id.id or None, line.previous_date or None
                )

    # ----------------------------------------------------------------------------------------
    # The provider's webhooks (verified by the controller)
    # ----------------------------------------------------------------------------------------

    def _voice_on_status(self, params):
        """A status callback: move the call's state; a busy or unanswered call is placed once
        more later the same day inside the contact hours, else the reminder failed."""
        self.ensure_one()
        status = params.get("CallStatus")
        current = self.voice_status
        self._voice_log_event(
            self.env._("Status: %(status)s", status=status)
            + (f" ({params['AnsweredBy']})" if params.get("AnsweredBy") else "")
        )
        if current in providers.FINAL_STATUSES or current in ("canceled", "pending"):
            return  # late or repeated news of a call already settled
        vals = {"voice_status": status}
        answered_by = self._voice_answered_by(params.get("AnsweredBy"))
        if answered_by:
            vals["voice_answered_by"] = answered_by
        if status == providers.COMPLETED:
            vals["voice_duration"] = _int(params.get("CallDuration"))
            if (answered_by or self.voice_answered_by) != "machine":
                # A person answered: a conversation for the frequency rules (Regulation F).
                vals.update(
                    call_date=fields.Datetime.now(),
                    call_outcome=self.call_outcome or "reached",
                )
            self.write(vals)
        elif status in (providers.BUSY, providers.NO_ANSWER):
            self.write(vals)
            retry_at = self._voice_retry_moment()
            if retry_at:
                self.write({"voice_status": "pending", "scheduled_at": retry_at})
                self._voice_log_event(
                    self.env._("Will call again at %(moment)s UTC.", moment=retry_at)
                )
            else:
                self._voice_fail(self.env._("No answer (%(status)s), not retried.", status=status))
                self.voice_status = status
        elif status in (providers.FAILED, providers.CANCELED):
            self.voice_status = status
            reason = params.get("ErrorMessage") or params.get("SipResponseCode") or status
            self._voice_fail(
                self.env._("Call %(status)s: %(reason)s", status=status, reason=reason)
            )
        else:
            self.write(vals)

    @api.model
    def _voice_answered_by(self, value):
        if not value:
            return False
        if value.startswith("machine"):
            return "machine"
        return value if value in ("human", "fax") else False

    def _voice_retry_moment(self):
        """When to call again after a busy line or no answer: once, after the company's
        delay, if that is still today and inside the contact hours in the customer's timezone."""
        self.ensure_one()
        if self.voice_attempts >= 2:
            return False
        now = fields.Datetime.now()
        retry_at = now + timedelta(minutes=max(self.company_id.dunning_voice_retry_minutes, 1))
        company = self.company_id
        place = self.recipient_id if self.recipient_id.country_id else self.partner_id
        start, end, weekdays_only = company._dunning_window(place.country_id)
        window = ContactWindow(start=_hour(start), end=_hour(end), weekdays_only=weekdays_only)
        tz = self._voice_tz()
        closed = company._dunning_closed_days(place.country_id.code, place.state_id.code, now.year)
        aware = retry_at.replace(tzinfo=UTC)
        opening = next_allowed(aware, tz, window, closed)
        zone = ZoneInfo(tz)
        same_day = (
            opening.astimezone(zone).date() == now.replace(tzinfo=UTC).astimezone(zone).date()
        )
        if opening != aware or not same_day:
            return False
        return retry_at

    def _voice_on_answer(self, params):
        """TwiML for an answered call: the script and the keys for a person, the
        limited-content message (or nothing) for an answering machine."""
        self.ensure_one()
        answered_by = self._voice_answered_by(params.get("AnsweredBy"))
        if answered_by:
            self.voice_answered_by = answered_by
        env = self.with_context(lang=self._voice_lang()).env
        lang = self.voice_language or twiml.language(self._voice_lang())
        if answered_by == "fax" or self.voice_status in ("canceled", "failed"):
            self._voice_log_event(self.env._("Hung up (%(who)s).", who=params.get("AnsweredBy")))
            return twiml.hangup()
        if answered_by == "machine":
            if self.voice_voicemail_text:
                self._voice_log_event(
                    self.env._("Voicemail left: %(text)s", text=self.voice_voicemail_text)
                )
                return twiml.say(self.voice_voicemail_text, lang)
            self._voice_log_event(self.env._("Answering machine: nothing left."))
            return twiml.hangup()
        self._voice_log_event(self.env._("Said: %(text)s", text=self.body or ""))
        return twiml.gather(
            self.body or "",
            lang,
            self._voice_url("gather"),
            goodbye=env._("We did not receive a choice. Thank you, goodbye."),
        )

    def _voice_on_key(self, digits):
        """TwiML answering a key press, after doing what the key says (once per call)."""
        self.ensure_one()
        env = self.with_context(lang=self._voice_lang()).env
        lang = self.voice_language or twiml.language(self._voice_lang())
        key = (digits or "")[:1]
        if key not in twiml.KEYS:
            self._voice_log_event(self.env._("Key pressed: %(key)s (no option).", key=key or "-"))
            return twiml.say(env._("This is not an option. Thank you, goodbye."), lang)
        if self.voice_key_press:
            # A repeated request: the first key press has been acted upon already.
            return twiml.say(env._("Your choice is recorded. Thank you, goodbye."), lang)
        self.voice_key_press = key
        self._voice_log_event(self.env._("Key pressed: %(key)s", key=key))
        action = {
            twiml.KEY_PAY_LINK: self._voice_send_pay_link,
            twiml.KEY_CALL_BACK: self._voice_request_call_back,
            twiml.KEY_PROMISE: self._voice_record_promise,
            twiml.KEY_STOP: self._voice_stop_calls,
        }[key]
        answer = action()
        self._voice_log_event(self.env._("Said: %(text)s", text=answer))
        return twiml.say(answer, lang)

    def _voice_send_pay_link(self):
        """The pay link by SMS, or by email when SMS is refused or impossible."""
        lang = self._voice_lang()
        env = self.with_context(lang=lang).env
        partner = self.partner_id.commercial_partner_id
        consent = partner._dunning_consent_states()[partner.id]
        text = env._(
            "%(company)s: pay %(total)s here: %(link)s",
            company=self.company_id.name,
            total=self.total_display,
            link=self.pay_url,
        )
        number = self.env["dunning.send.sms"]._sms_number(self)
        if number and consent.get("sms") == "allowed":
            self.env["sms.sms"].sudo().create(
                {"number": number, "body": text, "partner_id": self.recipient_id.id}
            )
            self._voice_log_event(self.env._("Pay link sent by SMS to %(number)s.", number=number))
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()
            return env._("The payment link is on its way by text message. Thank you, goodbye.")
        email = self.recipient_id.email or partner.email
        blacklisted = email and self.env["mail.blacklist"].sudo().search_count(
            [("email", "=", email)]
        )
        if email and consent.get("email") == "allowed" and not blacklisted:
            self.env["mail.mail"].sudo().create(
                {
                    "subject": env._(
                        "%(company)s: your payment link", company=self.company_id.name
                    ),
                    "body_html": Markup("<p>%s</p>") % text,
                    "email_from": self.company_id.email_formatted,
                    "recipient_ids": [Command.link(self.recipient_id.id)],
                    "auto_delete": False,
                }
            )
            self._voice_log_event(self.env._("Pay link sent by email to %(email)s.", email=email))
            return env._("The payment link is on its way by email. Thank you, goodbye.")
        self._voice_log_event(self.env._("No SMS or email allowed: pay link not sent."))
        return env._("We cannot send you a link; please call us back. Goodbye.")

    def _voice_request_call_back(self):
        """A call task for the customer's collector, due the next time the customer may be
        called (today if the contact hours are open)."""
        env = self.with_context(lang=self._voice_lang()).env
        activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.partner_id.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": self.partner_id.with_company(self.company_id)
                    ._dunning_collector(self.policy_id)
                    .id,
                    "date_deadline": self._voice_call_back_day(),
                    "summary": self.env._(
                        "Call back requested on an automated call: %(total)s overdue",
                        total=self.total_display,
                    ),
                    "note": self._invoice_summary(),
                }
            )
        )
        self._voice_log_event(
            self.env._(
                "Call back task for %(user)s, due %(date)s.",
                user=activity.user_id.name,
                date=activity.date_deadline,
            )
        )
        return env._("A member of our team will call you back. Thank you, goodbye.")

    def _voice_call_back_day(self):
        """Today when the contact hours are open now, else the day they open next."""
        moment = self._contact_moment()
        if moment > fields.Datetime.now():
            return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self._voice_tz())).date()
        return self._voice_today()

    def _voice_record_promise(self):
        """A promise to pay the open invoices of the call within 7 days, one per currency, as
        a collector would record it; the invoices wait for it as for any promise."""
        env = self.with_context(lang=self._voice_lang()).env
        moves = self.line_ids.move_id.filtered(
            lambda m: m.payment_state in ("not_paid", "partial") and not m.dunning_dispute
        )
        if not moves:
            return env._("Your invoices are settled. Thank you, goodbye.")
        today = self._voice_today()
        promised = today + timedelta(days=PROMISE_DAYS)
        grace = self.policy_id.promise_grace_days if self.policy_id else 3
        promises = (
            self.env["dunning.promise"]
            .sudo()
            .create(
                [
                    {
                        "partner_id": self.partner_id.id,
                        "company_id": self.company_id.id,
                        "communication_id": self.id,
                        "user_id": self.partner_id.with_company(self.company_id)
                        ._dunning_collector(self.policy_id)
                        .id,
                        "date": today,
                        "date_promised": promised,
                        "grace_days": grace,
                        "currency_id": currency.id,
                        "amount": sum(group.mapped("amount_residual")),
                        "move_ids": [Command.set(group.ids)],
                        "residual_at_promise": sum(group.mapped("amount_residual")),
                        "note": self.env._(
                            "Key 3 pressed on the automated call %(sid)s.", sid=self.voice_call_sid
                        ),
                    }
                    for currency, group in moves.grouped("currency_id").items()
                ]
            )
        )
        self.write({"call_outcome": "promise", "call_date": fields.Datetime.now()})
        amounts = ", ".join(
            format_amount(self.env, p.amount, p.currency_id, lang_code=self._voice_lang())
            for p in promises
        )
        self._voice_log_event(
            self.env._("Promise to pay %(amounts)s by %(date)s.", amounts=amounts, date=promised)
        )
        return env._(
            "Thank you. We note your promise to pay %(amounts)s by %(date)s. Goodbye.",
            amounts=amounts,
            date=format_date(self.env, promised, lang_code=self._voice_lang()),
        )

    def _voice_stop_calls(self):
        """A refusal of automated calls in the consent ledger, effective at once: calls still
        waiting for this customer are cancelled."""
        env = self.with_context(lang=self._voice_lang()).env
        self.env["dunning.consent"].sudo().create(
            {
                "partner_id": self.recipient_id.id or self.partner_id.id,
                "channel": "voice",
                "status": "refused",
                "legal_basis": "consent",
                "source": "key_press",
                "evidence": self.env._(
                    "Key 9 pressed on the automated call %(sid)s to %(number)s.",
                    sid=self.voice_call_sid,
                    number=self.recipient_address,
                ),
            }
        )
        waiting = self.search(
            [
                ("channel", "=", "voice"),
                ("partner_id", "=", self.partner_id.id),
                ("voice_status", "=", "pending"),
                ("id", "!=", self.id),
            ]
        )
        for communication in waiting:
            communication._voice_cancel(
                self.env._("Automated calls refused by the customer."), "refused"
            )
        self._voice_log_event(self.env._("Automated calls refused (consent ledger)."))
        return env._("You will receive no more automated calls from us. Goodbye.")


def _int(value):
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0
