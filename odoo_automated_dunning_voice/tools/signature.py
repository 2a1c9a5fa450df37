"""Twilio's request signature (X-Twilio-Signature), computed and checked.

Twilio signs each webhook with the account's auth token: HMAC-SHA1 over the full URL it
called followed by every POST parameter, sorted by name, as name then value, base64-encoded
(https://www.twilio.com/docs/usage/security#validating-requests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping


def _pairs(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(key), str(value)) for key, value in items]


def compute(auth_token: str, url: str, params) -> str:
    """The signature Twilio sends for a POST of ``params`` (a mapping or (name, value)
    pairs; a repeated name appears once per value) to ``url``."""
    if not auth_token:
        raise ValueError("A request signature needs the account's auth token.")
    # Sorted by name, then value: a repeated parameter signs the same whatever its order.
    payload = url + "".join(key + value for key, value in sorted(_pairs(params)))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_valid(auth_token: str, url: str, params, signature: str | None) -> bool:
    """True only for the exact signature; never for a missing token or signature."""
    if not auth_token or not signature:
        return False
    return hmac.compare_digest(compute(auth_token, url, params), signature)
