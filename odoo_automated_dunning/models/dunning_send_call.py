from odoo import api, fields, models


class DunningSendCall(models.AbstractModel):
    """Calls: a task for the customer's collector, on a day the contact hours are open."""

    _name = "dunning.send.call"
    _description = "Dunning Send: Call"

    @api.model
    def _send(self, communications):
        """A call task for the customer's collector, due on the run date."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("res.partner")
        # No assignment email per task: a run may plan hundreds; collectors see their
        # activities in Odoo's activity menu.
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": c.partner_id.id,
                        "activity_type_id": call_type.id,
                        "user_id": c.partner_id.with_company(c.company_id)
                        ._dunning_collector(c.policy_id)
                        .id,
                        "date_deadline": self._call_day(c),
                        "summary": self.env._(
                            "Dunning call: %(level)s, %(total)s overdue",
                            level=c.level_id.name,
                            total=c.total_display,
                        ),
                        "note": c._invoice_summary(),
                    }
                    for c in communications
                ]
            )
        )
        for communication, activity in zip(communications, activities, strict=True):
            communication.write(
                {
                    "state": "sent",
                    "activity_id": activity.id,
                    "recipient_address": communication.recipient_id.phone
                    or communication.partner_id.phone
                    or False,
                    "subject": activity.summary,
                }
            )

    @api.model
    def _call_day(self, communication):
        """The run date, or the next day the contact hours open when they are closed now."""
        moment = communication._contact_moment()
        return moment.date() if moment > fields.Datetime.now() else communication.date
