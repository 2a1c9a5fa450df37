from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request


class DunningShortLink(http.Controller):
    @http.route("/d/<string:code>", type="http", auth="public", methods=["GET"], sitemap=False)
    def dunning_short_link(self, code):
        """The short link of a letter: on to the reminder's tokenised pay page."""
        communication = request.env["dunning.short.link"]._resolve(code[:40])
        if not communication or not communication.pay_url:
            raise NotFound()
        return request.redirect(communication.pay_url)
