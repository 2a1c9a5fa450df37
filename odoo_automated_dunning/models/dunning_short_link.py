import re

from odoo import api, models
from odoo.tools import consteq, hmac

# "<reminder id>-<16 hex digits>": the id finds the reminder, the 64-bit tag (an HMAC under
# the database secret) proves the link was printed by us, so ids cannot be walked.
CODE_RE = re.compile(r"([0-9]{1,10})-([0-9a-f]{16})")


class DunningShortLink(models.AbstractModel):
    """Short pay links printed on letters: /d/<code> redirects to the reminder's pay page."""

    _name = "dunning.short.link"
    _description = "Dunning: Short Pay Link"

    @api.model
    def _tag(self, communication_id):
        return hmac(self.env(su=True), "dunning-short-link", communication_id)[:16]

    @api.model
    def _code(self, communication):
        return f"{communication.id}-{self._tag(communication.id)}"

    @api.model
    def _url(self, communication):
        return f"{communication.get_base_url()}/d/{self._code(communication)}"

    @api.model
    def _resolve(self, code):
        """The reminder a code was printed for, or an empty recordset for any other text."""
        Communication = self.env["dunning.communication"].sudo()
        match = CODE_RE.fullmatch((code or "").strip().lower())
        if not match:
            return Communication
        communication_id = int(match.group(1))
        if not consteq(self._tag(communication_id), match.group(2)):
            return Communication
        return Communication.browse(communication_id).exists()
