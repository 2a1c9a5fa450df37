from odoo import api, models

# Odoo's light notification layout (logo, company name, contact footer) with the company's
# postal address added, as customers expect from a letter about money they owe.
DEFAULT_LAYOUT = "odoo_automated_dunning.mail_notification_dunning"


class DunningMailLayout(models.AbstractModel):
    """Wraps rendered reminder bodies in Odoo's mail layout, in each recipient's language."""

    _name = "dunning.mail.layout"
    _description = "Dunning: Email Layout"

    @api.model
    def _wrap(self, communications, template, rendered):
        """Put each successfully rendered body of ``rendered`` ({communication id: values})
        into the template's layout (ours when it names none), as Odoo's send_mail does."""
        if not template:
            return rendered
        layout = template.email_layout_xmlid or DEFAULT_LAYOUT
        ok = communications.filtered(
            lambda c: isinstance(rendered.get(c.id), dict) and rendered[c.id].get("body_html")
        )
        if not ok:
            return rendered
        langs = template._render_lang(ok.ids)
        for communication in ok:
            lang = langs.get(communication.id) or self.env.lang
            record = communication.with_context(lang=lang)
            values = rendered[communication.id]
            values["body_html"] = template.with_context(lang=lang)._render_encapsulate(
                layout,
                values["body_html"],
                add_context={
                    "company": communication.company_id,
                    "record_name": values.get("subject") or communication.partner_id.name,
                },
                context_record=record,
            )
        return rendered
