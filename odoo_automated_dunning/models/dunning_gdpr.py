import base64
import csv
import io
import json

from odoo import api, fields, models

# Rows written per retention batch: one UPDATE each, whatever their number.
RETENTION_BATCH = 1000


class DunningGdpr(models.AbstractModel):
    """What the addon holds about a customer, on request; and forgetting what is no longer needed."""

    _name = "dunning.gdpr"
    _description = "Dunning Personal Data"

    @api.model
    def _export_data(self, partner):
        """Everything this addon keeps about the customer (its commercial entity), as plain data."""
        partner = partner.commercial_partner_id
        communications = (
            self.env["dunning.communication"]
            .sudo()
            .search([("partner_id", "=", partner.id)], order="date, id")
        )
        return {
            "customer": {
                "id": partner.id,
                "name": partner.name,
                "email": partner.email or None,
                "phone": partner.phone or None,
                "pause_until": str(partner.dunning_pause_until or "") or None,
                "pause_reason": partner.dunning_pause_reason or None,
            },
            "communications": [
                {
                    "date": str(c.date),
                    "channel": c.channel,
                    "state": c.state,
                    "level": c.level_id.name or None,
                    "tone": c.tone or None,
                    "recipient": c.recipient_id.name or None,
                    "address_used": c.recipient_address or None,
                    "subject": c.subject or None,
                    "body": c.body or None,
                    "skip_reason": c.skip_reason or None,
                    "total": c.amount_total,
                    "currency": c.currency_id.name,
                    "invoices": [
                        {
                            "invoice": line.move_id.name,
                            "due_date": str(line.date_due),
                            "days_overdue": line.days_overdue,
                            "amount_residual": line.amount_residual,
                        }
                        for line in c.line_ids
                    ],
                    "call_outcome": c.call_outcome or None,
                }
                for c in communications
            ],
            "promises": [
                {
                    "date": str(p.date),
                    "promised_date": str(p.date_promised),
                    "amount": p.amount,
                    "currency": p.currency_id.name,
                    "state": p.state,
                    "note": p.note or None,
                }
                for p in self.env["dunning.promise"]
                .sudo()
                .search([("partner_id", "=", partner.id)])
            ],
            "consent": [
                {
                    "date": str(e.date),
                    "contact": e.partner_id.name,
                    "channel": e.channel,
                    "status": e.status,
                    "legal_basis": e.legal_basis,
                    "source": e.source,
                    "evidence": e.evidence or None,
                }
                for e in self.env["dunning.consent"]
                .sudo()
                .search([("commercial_partner_id", "=", partner.id)], order="date, id")
            ],
            "charges": [
                {
                    "kind": c.kind,
                    "invoice": c.source_move_id.name or None,
                    "amount": c.amount,
                    "currency": c.currency_id.name,
                    "state": c.state,
                }
                for c in self.env["dunning.charge"].sudo().search([("partner_id", "=", partner.id)])
            ],
            "replies": [
                {
                    "received": str(r.date),
                    "from": r.author_email or None,
                    "subject": r.subject or None,
                    "text": r.excerpt or None,
                    "kind": r.kind,
                    "promised_date": str(r.promised_date or "") or None,
                    "promised_amount": r.promised_amount or None,
                    "state": r.state,
                }
                for r in self.env["dunning.reply"]
                .sudo()
                .search([("partner_id", "=", partner.id)], order="date, id")
            ],
            "payment_behaviour": [
                {
                    "company": b.company_id.name,
                    "computed_on": str(b.date),
                    "risk_score": b.score,
                    "average_days_late": b.avg_days_late,
                    "on_time_share": b.on_time_share,
                }
                for b in self.env["dunning.partner.behaviour"]
                .sudo()
                .search([("partner_id", "=", partner.id)])
            ],
        }

    @api.model
    def _export_attachments(self, partner):
        """The export as a JSON file (everything) and a CSV file (one row per reminder)."""
        data = self._export_data(partner)
        stream = io.StringIO()
        writer = csv.writer(stream)
        columns = [
            "date",
            "channel",
            "state",
            "level",
            "address_used",
            "subject",
            "total",
            "currency",
        ]
        writer.writerow(columns)
        for row in data["communications"]:
            writer.writerow([row[column] if row[column] is not None else "" for column in columns])
        name = partner.commercial_partner_id.name
        files = [
            (
                f"dunning-data-{name}.json",
                json.dumps(data, indent=2, ensure_ascii=False),
                "application/json",
            ),
            (f"dunning-data-{name}.csv", stream.getvalue(), "text/csv"),
        ]
        return self.env["ir.attachment"].create(
            [
                {
                    "name": file_name,
                    "datas": base64.b64encode(content.encode()),
                    "mimetype": mimetype,
                    "res_model": "res.partner",
                    "res_id": partner.commercial_partner_id.id,
                }
                for file_name, content, mimetype in files
            ]
        )

    @api.model
    def _cron_retention(self):
        for company in self.env["res.company"].search([("dunning_retention_months", ">", 0)]):
            self._anonymise(company)

    @api.model
    def _anonymise(self, company, today=None):
        """Forget what was said and where, for reminders older than the company's retention.

        Every copy goes: the reminder's text, subject and address; its outgoing mail and the
        chatter message of that mail (with its delivery failure reasons, tracking values and
        attachments); the note it left in the customer's chatter; the SMS body and number;
        the letter PDF; the call task's note. Amounts, dates, levels and states stay for the
        accounts. A few queries per batch of reminders, whatever their number.
        """
        today = today or company._dunning_today()
        limit = fields.Date.subtract(today, months=company.dunning_retention_months)
        communications = self.env["dunning.communication"].sudo()
        done = communications
        while True:
            batch = communications.search(
                [
                    ("company_id", "=", company.id),
                    ("date", "<", limit),
                    ("anonymised", "=", False),
                ],
                limit=RETENTION_BATCH,
            )
            if not batch:
                return done
            self._anonymise_copies(batch)
            batch.write(
                {
                    "body": False,
                    "subject": False,
                    "recipient_address": False,
                    # A provider's refusal usually quotes the address or number.
                    "error_message": False,
                    "anonymised": True,
                }
            )
            done |= batch

    @api.model
    def _anonymise_copies(self, communications):
        """Blank the copies of these reminders kept outside them (see ``_anonymise``)."""
        messages = (communications.mail_message_id | communications.log_message_id).sudo()
        attachments = messages.attachment_ids | self.env["ir.attachment"].sudo().search(
            [("res_model", "=", communications._name), ("res_id", "in", communications.ids)]
        )
        messages.tracking_value_ids.unlink()
        messages.notification_ids.write({"failure_reason": False})
        communications.mail_id.write(
            {"body_html": False, "email_to": False, "failure_reason": False, "headers": False}
        )
        messages.write({"body": "", "subject": False})
        attachments.unlink()
        communications.sms_id.write({"body": False, "number": False})
        communications.activity_id.write({"summary": False, "note": False, "feedback": False})
        # The customers' replies: their emails in the chatter and what was kept of them.
        replies = communications.sudo().reply_ids
        replies.message_id.write({"body": "", "subject": False})
        replies.write({"excerpt": False, "subject": False, "author_email": False, "matched": False})
