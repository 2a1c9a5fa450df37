from lxml import etree

from odoo import models

# Context keys that change while rendering but never change the compiled code.
RENDER_ONLY_KEYS = frozenset(
    {
        "dunning_qweb_cache",
        "__qweb_loaded_functions",
        "__qweb_loaded_codes",
        "__qweb_loaded_options",
        "_qweb_error_path_xml",
    }
)


class IrQweb(models.AbstractModel):
    """A batch of reminders renders its mail template's body once compiled.

    Odoo renders a mail template's QWeb body from a freshly parsed element for each record
    (``mail.render.mixin._render_template_qweb``), and ``ir.qweb`` caches compiled code only
    for templates stored as views, so the same body is compiled again for every reminder.
    Within a batch, a caller may pass an empty dict as the context key ``dunning_qweb_cache``:
    an element whose source and compilation context are those of an element compiled before
    reuses that compiled code, as a view's code is reused across renders. The template stays
    the source: its text (as edited, in the record's language) is the key.
    """

    _inherit = "ir.qweb"

    def _compile(self, template):
        cache = self.env.context.get("dunning_qweb_cache")
        if cache is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        key = (
            etree.tostring(template, encoding="unicode"),
            repr(
                sorted(
                    (name, value)
                    for name, value in self.env.context.items()
                    if name not in RENDER_ONLY_KEYS
                )
            ),
        )
        if key not in cache:
            cache[key] = super()._compile(template)
        return cache[key]
