"""Plain Python, no Odoo import: TwiML, request signatures and the telephony providers."""

from . import providers, signature, twiml
