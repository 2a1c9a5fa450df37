import base64
import logging

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import SQL

from odoo.addons.mail.models.mail_message import _image_dataurl

from .dunning_mail_body import sanitize_bodies

_logger = logging.getLogger(__name__)


class DunningSendEmail(models.AbstractModel):
    """Email: rendered in the recipient's language, queued in Odoo's mail queue."""

    _name = "dunning.send.email"
    _description = "Dunning Send: Email"

    @api.model
    def _send(self, communications):
        """Render each one in its recipient's language and queue it in Odoo's mail queue.

        The mail is linked to the customer so it shows in the customer's chatter; it leaves
        with the mail queue cron, after the run's transaction is committed, so a crash before
        the commit sends nothing. A template that fails to render fails its communication only.
        """
        communications.line_ids.move_id._dunning_ensure_access_tokens()
        mail_vals = []
        sent_ids = []  # a list, not a recordset grown one by one (each union copies it)
        for template, batch in communications.grouped(
            lambda c: c.mail_template_id or c.level_id.mail_template_id
        ).items():
            rendered = self._render_email(batch, template)
            # The chatter keeps the message without the mail layout, as Odoo's own
            # notifications do; the email itself is wrapped (and sanitising the layout of
            # every reminder again for the chatter took a third of the sending time).
            contents = {
                key: values.get("body_html")
                for key, values in rendered.items()
                if isinstance(values, dict)
            }
            rendered = self.env["dunning.mail.layout"]._wrap(batch, template, rendered)
            for communication in batch:
                values = rendered.get(communication.id)
                if isinstance(values, Exception) or values is None:
                    communication.write({"state": "failed", "error_message": str(values)})
                    continue
                sent_ids.append(communication.id)
                mail_vals.append(
                    self._mail_values(
                        communication, template, values, contents.get(communication.id)
                    )
                )
        sent = communications.browse(sent_ids)
        # The chatter copies are sanitised once per shape of body (dunning_mail_body.py) and
        # written after the mails are created; a copy with embedded images goes through
        # create, which turns them into attachments.
        later = {}
        for index, vals in enumerate(mail_vals):
            if vals["body"] and not _image_dataurl.search(vals["body"]):
                later[index] = vals.pop("body")
        mails = self.env["mail.mail"].sudo().create(mail_vals)
        self._write_chatter_copies(mails, later)
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
        self._write_each(
            sent,
            [
                {
                    # Sent once the mail server accepts it (mail_mail.py).
                    "state": "queued",
                    "mail_message_id": mail.mail_message_id.id,
                    "mail_id": mail.id,
                    "mail_template_id": (
                        communication.mail_template_id or communication.level_id.mail_template_id
                    ).id,
                    "subject": mail.subject,
                    "body": mail.body_html,
                    "recipient_address": communication.recipient_id.email,
                }
                for communication, mail in zip(sent, mails, strict=True)
            ],
        )
        # Over the company's email quota, emails wait for the next free hours (never dropped).
        self.env["dunning.send.quota"].sudo()._apply(sent)
        self._attach_documents(sent, mails)

    @api.model
    def _write_each(self, records, vals_list):
        """Write each of ``records`` its own values (plain stored fields), as ``write`` does
        record by record, with its checks and bookkeeping done once for the set: access to
        the model and fields checked, the values put in the cache and flushed as the ORM
        flushes a write (write_uid and write_date set, one UPDATE per hundred rows), the
        fields depending on them marked (the decision, the run's counters), the Python
        constraints checked. ``write`` did that work again for each of a batch's reminders."""
        if not records:
            return
        fnames = sorted(set().union(*vals_list))
        records.check_access("write")
        fields_ = [records._fields[fname] for fname in fnames]
        for field in fields_:
            # What write() would do more for these is not done here: refuse them.
            if not field.store or field.compute or field.inverse or field.type.endswith("2many"):
                raise ValueError(f"{field} is not a plain stored field")
            records._check_field_access(field, "write")
        records.modified(
            [f.name for f in fields_ if records.pool.is_modifying_relations(f)], before=True
        )
        log = {"write_uid": self.env.uid, "write_date": self.env.cr.now()}
        for record, vals in zip(records, vals_list, strict=True):
            for fname, value in (vals | log).items():
                records._fields[fname].write(record, value)
        records.modified([*fnames, *log])
        records._validate_fields(fnames)
        if records._check_company_auto:
            records._check_company(fnames)

    @api.model
    def _write_chatter_copies(self, mails, bodies):
        """Store ``bodies`` ({index of the mail in ``mails``: body}) as the chatter messages of
        those mails, sanitised as ``mail.message.body`` sanitises them, in one UPDATE; the
        cache of the field is then invalidated and its dependents marked, as a write does."""
        if not bodies:
            return
        messages = mails.mail_message_id
        field = messages._fields["body"]
        indexes = list(bodies)
        clean = sanitize_bodies([bodies[index] for index in indexes], field)
        rows = [
            SQL("(%s, %s)", mails[index].mail_message_id.id, str(body))
            for index, body in zip(indexes, clean, strict=True)
        ]
        messages.flush_recordset(["body"])
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET body = v.body FROM (VALUES %s) AS v(id, body) "
                "WHERE mail_message.id = v.id",
                SQL(", ").join(rows),
            )
        )
        changed = messages.browse([mails[index].mail_message_id.id for index in indexes])
        changed.invalidate_recordset(["body"], flush=False)
        mails.invalidate_recordset(["body"], flush=False)
        changed.modified(["body"])

    @api.model
    def _render_email(self, communications, template):
        """{communication id: rendered values or the exception that stopped its rendering}."""
        fields_to_render = ["subject", "body_html", "email_from", "reply_to"]
        if not template:
            return {
                c.id: ValueError(
                    self.env._("Level %(level)s has no email template.", level=c.level_id.name)
                )
                for c in communications
            }
        # The body compiled once per language for the batch, not once per reminder (ir_qweb.py).
        template = template.with_context(dunning_qweb_cache={})
        try:
            # Rendering writes nothing: the savepoint only recovers from a failed query, so it
            # need not flush first, and the invoices' new portal tokens stay pending until
            # their level is written with them (one UPDATE per invoice, dunning_send.py).
            with self.env.cr.savepoint(flush=False):
                return template._generate_template(communications.ids, fields_to_render)
        except Exception:  # noqa: BLE001 - one broken record must not stop the batch
            _logger.info("Rendering %s failed for a batch, retrying one by one", template.name)
        results = {}
        for communication in communications:
            try:
                with self.env.cr.savepoint():
                    results.update(template._generate_template(communication.ids, fields_to_render))
            except Exception as error:  # noqa: BLE001 - recorded on the communication
                results[communication.id] = error
        return results

    @api.model
    def _mail_values(self, communication, template, values, content=None):
        """The mail of ``values`` (its ``body_html`` as sent); ``content``, the body without
        the mail layout, is the chatter's copy (default: the body as sent)."""
        company = communication.company_id
        moment = communication._contact_moment()
        if moment > fields.Datetime.now():
            communication.scheduled_at = moment
        return {
            "scheduled_date": moment,
            "subject": values.get("subject") or "",
            "body_html": values.get("body_html") or "",
            "body": (content if content is not None else values.get("body_html")) or "",
            "email_from": values.get("email_from") or company.email_formatted,
            # Replies come back to Odoo through the company's catchall (its alias domain),
            # where the mail gateway links them to the reminder (dunning_reply_gateway.py); without
            # one they go to the sender's address.
            "reply_to": values.get("reply_to")
            or company.catchall_formatted
            or values.get("email_from")
            or company.email_formatted,
            "recipient_ids": [Command.link(communication.recipient_id.id)],
            "model": "res.partner",
            "res_id": communication.partner_id.id,
            "message_type": "email_outgoing",
            "author_id": company.partner_id.id,
            # Kept, not auto-deleted: its delivery state tells the next run whether to retry.
            "auto_delete": False,
            "is_notification": True,  # keeps the chatter message when the mail is cleaned up
            "record_company_id": company.id,
        }

    @api.model
    def _attach_documents(self, communications, mails):
        """The invoice PDFs and the customer statement the levels ask for, on each mail."""
        for communication, mail in zip(communications, mails, strict=True):
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
