import logging
from datetime import timedelta

from lxml import etree

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import html2plaintext
from odoo.tools.mail import unfold_references

from ..core import replies

_logger = logging.getLogger(__name__)

# The most of a reply's HTML body read, and of its plain text kept as the excerpt: a real
# answer to a reminder is a few hundred characters; anything a customer sends is bounded.
MAX_BODY_LENGTH = 100_000
EXCERPT_LENGTH = 1_000
# Headers passed to the classifier (auto-reply detection), each value cut to this length.
MAX_HEADERS = 200
MAX_HEADER_LENGTH = 500
# The References of a reply looked at for a reminder: the newest ones, as Odoo's router.
MAX_REFERENCES = 32
# Used when the reminder has no policy (a plan's policy was removed).
DEFAULT_PAUSE_DAYS = 5


class DunningReply(models.Model):
    """Replies recorded from the mail gateway: an incoming email that answers a reminder is
    found, classified by ``core.replies``, and pauses the customer and tasks its collector."""

    _inherit = "dunning.reply"

    @api.model
    def _record_from_gateway(self, email_message, msg_dict):
        """Called by the mail gateway for each incoming email, once Odoo has posted it:
        if it answers a reminder, record and classify it and apply what its kind does.

        Anything a customer sends is hostile: bounded reads, and a failure here never loses
        the email (it is already in the chatter), only its classification.
        """
        refs = unfold_references(msg_dict.get("references") or "")
        in_reply_to = (msg_dict.get("in_reply_to") or "").strip()
        refs = [ref.strip() for ref in refs[-MAX_REFERENCES:] if ref.strip()]
        if in_reply_to:
            refs.append(in_reply_to)
        if not refs or not msg_dict.get("message_id"):
            return self.browse()
        communication = self._replied_communication(refs, in_reply_to)
        if not communication:
            return self.browse()
        message = self.env["mail.message"].search(
            [("message_id", "=", msg_dict["message_id"])], order="id desc", limit=1
        )
        if not message:
            return self.browse()
        existing = self.search([("message_id", "=", message.id)], limit=1)
        if existing:
            return existing
        try:
            with self.env.cr.savepoint():
                return self._record(communication, message, _headers(email_message))
        except Exception:  # noqa: BLE001 - the email stays in the chatter, unclassified
            _logger.exception(
                "The reply %s to reminder %s could not be classified",
                msg_dict.get("message_id"),
                communication.id,
            )
            return self.browse()

    @api.model
    def _replied_communication(self, refs, in_reply_to):
        """The reminder whose email is named in ``refs``: the one replied to directly when
        it is one, else the newest named."""
        messages = self.env["mail.message"].search([("message_id", "in", refs)])
        if not messages:
            return self.env["dunning.communication"]
        communications = self.env["dunning.communication"].search(
            [("mail_message_id", "in", messages.ids)], order="id desc"
        )
        direct = communications.filtered(lambda c: c.mail_message_id.message_id == in_reply_to)
        return direct[:1] or communications[:1]

    @api.model
    def _record(self, communication, message, headers):
        company = communication.company_id
        customer = communication.partner_id.commercial_partner_id
        text = _plain_text(message.body)
        invoices = (
            communication.line_ids.move_id or communication.plan_id.invoice_ids
        ).with_company(company)
        numbers = {move.name: move for move in invoices if move.name}
        today = company._dunning_today()
        verdict = replies.classify_reply(
            text,
            today=today,
            lang=customer.lang or None,
            headers=headers,
            invoice_numbers=list(numbers),
        )
        named = invoices.browse([numbers[ref].id for ref in verdict.invoice_refs if ref in numbers])
        currency = communication.currency_id or company.currency_id
        amount = verdict.promised_amount
        if verdict.kind == "promise" and not amount:
            # No amount said: the promise would cover what the reminder claims (editable).
            open_moves = (named or invoices).filtered(lambda m: m.currency_id == currency)
            amount = sum(open_moves.mapped("amount_residual"))
        reply = self.create(
            {
                "communication_id": communication.id,
                "partner_id": customer.id,
                "company_id": company.id,
                "message_id": message.id,
                "date": message.date or fields.Datetime.now(),
                "author_email": (message.email_from or "")[:250],
                "subject": (message.subject or "")[:250],
                "excerpt": replies.strip_quoted(text)[:EXCERPT_LENGTH] or text[:EXCERPT_LENGTH],
                "kind": verdict.kind,
                "matched": ", ".join(verdict.matched)[:250] or False,
                "invoice_ids": [Command.set(named.ids)],
                "currency_id": currency.id,
                "promised_date": verdict.promised_date or False,
                "promised_amount": float(amount or 0.0),
                "state": "done" if verdict.kind == "auto_reply" else "new",
            }
        )
        if verdict.kind != "auto_reply":
            reply._pause_customer(today)
            reply._notify_collector()
        return reply

    def _pause_customer(self, today):
        """A human answer: no automatic reminder for the policy's pause days, through the
        customer's pause (a later pause already set is kept)."""
        self.ensure_one()
        policy = (
            self.communication_id.policy_id
            or self.partner_id.with_company(self.company_id).dunning_policy_id
        )
        days = policy.reply_pause_days if policy else DEFAULT_PAUSE_DAYS
        if days <= 0:
            return
        until = today + timedelta(days=days)
        customer = self.partner_id
        if customer.dunning_pause_until and customer.dunning_pause_until >= until:
            return
        customer.write({"dunning_pause_until": until, "dunning_pause_reason": "reply"})
        self.paused_until = until

    def _notify_collector(self):
        """A task for the customer's collector, saying what the reply asks of them."""
        self.ensure_one()
        policy = self.communication_id.policy_id
        collector = self.partner_id.with_company(self.company_id)._dunning_collector(policy)
        if collector._is_superuser() or not collector.active:
            collector = self.env.ref("base.user_admin", raise_if_not_found=False) or collector
        # Stored on the task: written in the collector's language, not the gateway's.
        env = self.with_context(lang=collector.lang).env
        summaries = {
            "promise": env._("Confirm the promise to pay"),
            "paid": env._("Find the payment the customer says it made"),
            "dispute": env._("Review the disputed invoices"),
            "other": env._("Answer the customer's email"),
        }
        self.with_company(self.company_id).activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.company_id._dunning_today(),
            summary=summaries.get(self.kind, summaries["other"]),
            user_id=collector.id,
        )


def _headers(email_message):
    """{name: value} of an email's headers, bounded; a header that cannot be decoded is left
    out rather than failing the mail gateway."""
    headers = {}
    try:
        items = list(email_message.raw_items())[:MAX_HEADERS]
    except Exception:  # noqa: BLE001 - a malformed message still gets classified by its text
        return headers
    for name, value in items:
        try:
            headers[str(name)] = str(value)[:MAX_HEADER_LENGTH]
        except Exception:  # noqa: BLE001, S112 - see above
            continue
    return headers


def _plain_text(body):
    """The email's body as plain text, the parts Odoo marked as quoted history left out."""
    html = str(body or "")[:MAX_BODY_LENGTH]
    if not html.strip():
        return ""
    try:
        tree = etree.fromstring(f"<div>{html}</div>", parser=etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return html2plaintext(html)
    if tree is None:
        return ""
    for node in tree.xpath("//*[@data-o-mail-quote='1']"):
        _drop_keeping_tail(node)
    cleaned = etree.tostring(tree, encoding="unicode", method="html")
    return html2plaintext(cleaned)


def _drop_keeping_tail(node):
    """Remove ``node`` from its tree, keeping the text that follows it."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)
