import logging
import textwrap

from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools.mail import html_to_inner_content

_logger = logging.getLogger(__name__)

# Odoo's light notification layout (logo, company name, contact footer) with the company's
# postal address added, as customers expect from a letter about money they owe.
DEFAULT_LAYOUT = "odoo_automated_dunning.mail_notification_dunning"
# Layouts whose output depends on the record only through the body, its preview and the
# record name: rendered once per company and language, then filled for each reminder.
FRAMED_LAYOUTS = frozenset({DEFAULT_LAYOUT, "mail.mail_notification_light"})
# Stand-ins for the body and the record name while the frame is rendered: letters only, so
# that escaping, the preview's shortening and the link rewriting leave them as they are.
BODY_MARK = "dunningframebodyq7x"
NAME_MARK = "dunningframenameq7x"


class DunningMailLayout(models.AbstractModel):
    """Wraps rendered reminder bodies in Odoo's mail layout, in each recipient's language."""

    _name = "dunning.mail.layout"
    _description = "Dunning: Email Layout"

    @api.model
    def _wrap(self, communications, template, rendered):
        """Put each successfully rendered body of ``rendered`` ({communication id: values})
        into the template's layout (ours when it names none), as Odoo's send_mail does.

        Rendering the layout for every reminder was a sixth of the sending time. For the
        layouts of ``FRAMED_LAYOUTS``, which read nothing of the record but the body, its
        preview and the record name, the layout is rendered once per company and language
        with marks in their places (the frame), and each reminder's values are put in them,
        escaped as QWeb's ``t-out`` escapes them. The first reminder of each frame is also
        rendered Odoo's way and compared: a frame that does not give Odoo's output is not
        used (each reminder is then rendered alone)."""
        if not template:
            return rendered
        layout = template.email_layout_xmlid or DEFAULT_LAYOUT
        ok = communications.filtered(
            lambda c: isinstance(rendered.get(c.id), dict) and rendered[c.id].get("body_html")
        )
        if not ok:
            return rendered
        langs = template._render_lang(ok.ids)
        frames = {}
        for communication in ok:
            lang = langs.get(communication.id) or self.env.lang
            values = rendered[communication.id]
            record_name = values.get("subject") or communication.partner_id.name
            key = (lang, communication.company_id)
            if key not in frames:
                frames[key] = self._frame(template, layout, communication, lang, values)
            frame = frames[key]
            if frame and record_name:
                values["body_html"] = self._fill(frame, values["body_html"], record_name)
            else:
                values["body_html"] = self._encapsulate(
                    template, layout, communication, lang, values["body_html"], record_name
                )
        return rendered

    @api.model
    def _encapsulate(self, template, layout, communication, lang, body, record_name):
        """Odoo's own wrapping of one reminder's body."""
        return template.with_context(lang=lang)._render_encapsulate(
            layout,
            body,
            add_context={"company": communication.company_id, "record_name": record_name},
            context_record=communication.with_context(lang=lang),
        )

    @api.model
    def _frame(self, template, layout, communication, lang, values):
        """(head, middle, tail) of the layout around the preview and the body, for the
        company and language of ``communication``; None when it cannot be framed."""
        if layout not in FRAMED_LAYOUTS:
            return None
        html = self._encapsulate(
            template, layout, communication, lang, Markup(BODY_MARK), NAME_MARK
        )
        # The preview (the body's text) first, then the body itself.
        parts = str(html).split(BODY_MARK)
        if len(parts) != 3:
            return None
        frame = tuple(parts)
        record_name = values.get("subject") or communication.partner_id.name
        if not record_name:
            return None
        alone = self._encapsulate(
            template, layout, communication, lang, values["body_html"], record_name
        )
        if self._fill(frame, values["body_html"], record_name) != alone:
            _logger.info("Layout %s: framed output differs from Odoo's, not framed", layout)
            return None
        return frame

    @api.model
    def _fill(self, frame, body, record_name):
        """The layout of ``frame`` around ``body``, as Odoo's ``_render_encapsulate`` gives it:
        the preview is the mail message's (``mail.message._compute_preview``), the record
        name has its slashes replaced, both escaped; local links of the body made absolute."""
        head, middle, tail = frame
        name = str(escape(record_name.replace("/", "-")))
        preview = str(escape(textwrap.shorten(html_to_inner_content(Markup(body)), 190)))
        body = self.env["mail.render.mixin"]._replace_local_links(str(body))
        return Markup(
            head.replace(NAME_MARK, name)
            + preview
            + middle.replace(NAME_MARK, name)
            + body
            + tail.replace(NAME_MARK, name)
        )
