import logging

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..tools import providers

_logger = logging.getLogger(__name__)


class DunningVoiceController(http.Controller):
    """The provider's webhooks for automated calls: what to say when someone answers, the
    key pressed, and the call's progress. Each is signed by the provider with the company's
    auth token; an unsigned or forged request is refused and changes nothing."""

    @http.route(
        "/dunning_voice/answer/<int:communication_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def voice_answer(self, communication_id, **_params):
        communication, params = self._verified(communication_id, "answer")
        if not communication:
            return self._refused()
        return self._twiml(communication._voice_on_answer(params))

    @http.route(
        "/dunning_voice/gather/<int:communication_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def voice_gather(self, communication_id, **_params):
        communication, params = self._verified(communication_id, "gather")
        if not communication:
            return self._refused()
        return self._twiml(communication._voice_on_key(params.get("Digits")))

    @http.route(
        "/dunning_voice/status/<int:communication_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def voice_status(self, communication_id, **_params):
        communication, params = self._verified(communication_id, "status")
        if not communication:
            return self._refused()
        if params.get("CallStatus") not in providers.CALL_STATUSES:
            return request.make_response("Unknown call status", status=400)
        communication._voice_on_status(params)
        return request.make_response("", status=204)

    def _verified(self, communication_id, kind):
        """(the reminder, the posted parameters) when the request carries the provider's
        valid signature for this reminder's URL and names its call; else (None, None)."""
        communication = (
            request.env["dunning.communication"].sudo().browse(communication_id).exists()
        )
        if not communication or communication.channel != "voice":
            return None, None
        # The reminder's company, not the public user's: its properties (the collector) and
        # its records (the promise) belong there.
        communication = communication.with_company(communication.company_id)
        form = request.httprequest.form
        try:
            provider = communication.company_id._dunning_voice_provider()
        except UserError:
            return None, None
        if not provider.valid_request(
            communication._voice_url(kind), form.items(multi=True), request.httprequest.headers
        ):
            _logger.info(
                "Automated call %s: %s request with a bad signature", communication_id, kind
            )
            return None, None
        params = form.to_dict()
        sid = communication.voice_call_sid
        if sid and params.get("CallSid") != sid:
            # A late request about an earlier attempt of the same reminder.
            _logger.info("Automated call %s: %s request for another call", communication_id, kind)
            return None, None
        return communication, params

    def _refused(self):
        return request.make_response("Forbidden", status=403)

    def _twiml(self, document):
        return request.make_response(
            document, headers=[("Content-Type", "text/xml; charset=utf-8")]
        )
