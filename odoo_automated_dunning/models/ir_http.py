from werkzeug.routing import BaseConverter, ValidationError

from odoo import models
from odoo.http import request

from ..core import inputs


class DunningIdConverter(BaseConverter):
    """A record id in a portal path: plain ASCII digits within PostgreSQL's integer range.

    Odoo's ``int`` converter takes unicode digits (``int('٣')`` is 3) and ids beyond
    2^31 - 1, which PostgreSQL then refuses with a server error; this one does not match
    them, so such a path is simply not found.
    """

    regex = r"[0-9]{1,10}"
    weight = 50

    def to_python(self, value):
        number = inputs.parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value):
        return str(int(value))


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_converters(cls):
        return {**super()._get_converters(), "dunning_id": DunningIdConverter}

    @classmethod
    def _serve_fallback(cls):
        # A path no route matched is looked up as an attachment URL; with a NUL byte in it
        # (/my/dunning/plan/1%00) PostgreSQL refuses the query and the visitor gets a server
        # error. No attachment URL holds a NUL: such a path is simply not found.
        if "\x00" in request.httprequest.path:
            return None
        return super()._serve_fallback()
