from odoo import api, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def _render_eval_context(self):
        """In a batch of reminders (``dunning_qweb_cache`` in the context, ir_qweb.py), each
        date is formatted once: Odoo's ``format_date`` looks the language and its babel locale
        up again on every call, for the same few due dates in every reminder. The context is
        built for one language and timezone, so a date always formats the same within it."""
        context = super()._render_eval_context()
        if self.env.context.get("dunning_qweb_cache") is None:
            return context
        format_date = context["format_date"]
        formatted = {}

        def format_date_once(date, date_format=False, lang_code=False):
            key = (date, date_format, lang_code)
            try:
                if key not in formatted:
                    formatted[key] = format_date(date, date_format, lang_code)
            except TypeError:  # an unhashable value: formatted as it comes
                return format_date(date, date_format, lang_code)
            return formatted[key]

        context["format_date"] = format_date_once
        return context
