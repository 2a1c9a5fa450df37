"""Telephony providers that place automated calls, behind one small interface.

A provider places an outbound call that fetches what to say from ``answer_url`` and reports
its progress to ``status_url``; it checks that a webhook really comes from it. Twilio is the
one shipped; another provider subclasses ``VoiceProvider`` and registers in ``PROVIDERS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests

from . import signature

_logger = logging.getLogger(__name__)

# The call states a provider reports, in Twilio's words (the addon's vocabulary).
QUEUED, INITIATED, RINGING, IN_PROGRESS = "queued", "initiated", "ringing", "in-progress"
COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED = (
    "completed",
    "busy",
    "no-answer",
    "failed",
    "canceled",
)
CALL_STATUSES = (
    QUEUED,
    INITIATED,
    RINGING,
    IN_PROGRESS,
    COMPLETED,
    BUSY,
    NO_ANSWER,
    FAILED,
    CANCELED,
)
FINAL_STATUSES = (COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED)


@dataclass(frozen=True)
class PlacedCall:
    """The provider's answer to a call request: its id and state, or why it refused."""

    sid: str | None
    status: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class VoiceProvider:
    """Base of the providers: what the addon asks of a telephony service."""

    code = ""
    label = ""
    signature_header = ""

    def __init__(self, api_url: str, account: str, secret: str, timeout: float = 10):
        self.api_url = api_url.rstrip("/")
        self.account = account
        self.secret = secret
        self.timeout = timeout

    def place_call(
        self,
        to: str,
        caller_id: str,
        answer_url: str,
        status_url: str,
        ring_seconds: int = 30,
        detect_machine: bool = True,
    ) -> PlacedCall:
        raise NotImplementedError

    def valid_request(self, url: str, params, headers) -> bool:
        """True when a webhook posted ``params`` to ``url`` with ``headers`` comes from us."""
        raise NotImplementedError


class TwilioVoiceProvider(VoiceProvider):
    """Twilio's Programmable Voice REST API (2010-04-01), with the company's SMS account."""

    code = "twilio"
    label = "Twilio"
    signature_header = "X-Twilio-Signature"
    DEFAULT_API_URL = "https://api.twilio.com"

    def place_call(
        self,
        to,
        caller_id,
        answer_url,
        status_url,
        ring_seconds=30,
        detect_machine=True,
    ):
        data = [
            ("To", to),
            ("From", caller_id),
            ("Url", answer_url),
            ("Method", "POST"),
            ("StatusCallback", status_url),
            ("StatusCallbackMethod", "POST"),
            ("Timeout", str(ring_seconds)),
        ]
        data += [
            ("StatusCallbackEvent", event)
            for event in ("initiated", "ringing", "answered", "completed")
        ]
        if detect_machine:
            # Wait for the answering machine's beep, so a voicemail starts after the greeting.
            data.append(("MachineDetection", "DetectMessageEnd"))
        url = f"{self.api_url}/2010-04-01/Accounts/{self.account}/Calls.json"
        try:
            response = requests.post(
                url, data=data, auth=(self.account, self.secret), timeout=self.timeout
            )
        except requests.exceptions.RequestException as error:
            _logger.info("Twilio voice API unreachable: %s", error)
            return PlacedCall(None, FAILED, f"Twilio unreachable: {error}")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not response.ok:
            message = payload.get("message") or response.reason or "no message"
            code = payload.get("code")
            return PlacedCall(
                None, FAILED, f"Twilio error {code}: {message}" if code else f"Twilio: {message}"
            )
        status = payload.get("status") or QUEUED
        return PlacedCall(payload.get("sid"), status if status in CALL_STATUSES else QUEUED)

    def valid_request(self, url, params, headers):
        return signature.is_valid(self.secret, url, params, headers.get(self.signature_header))


PROVIDERS = {TwilioVoiceProvider.code: TwilioVoiceProvider}
