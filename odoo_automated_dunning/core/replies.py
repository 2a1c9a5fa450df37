"""What a customer's answer to a reminder says, read by transparent rules (no model, no Odoo).

``classify_reply(text, today=..., lang=..., headers=..., invoice_numbers=...)`` returns a
``ReplyVerdict``: the kind of the reply (one of ``REPLY_KINDS``), the promised date and amount
when the customer promises to pay, the invoice numbers it names, and the words that decided, so
that the collector sees why. ``strip_quoted(text)`` keeps only the new part of a reply.

Everything a customer sends is hostile: the text is cut to ``MAX_TEXT_LENGTH`` characters first,
every pattern runs in linear time, and no ``str`` makes these functions raise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

REPLY_KINDS = ("promise", "paid", "dispute", "auto_reply", "other")
REPLY_KIND_LABELS = {
    "promise": "Promise to Pay",
    "paid": "Says Paid",
    "dispute": "Dispute",
    "auto_reply": "Auto-Reply",
    "other": "Other",
}

# The most of a reply that is read; a real answer to a reminder is a few hundred characters.
MAX_TEXT_LENGTH = 20_000


@dataclass(frozen=True)
class ReplyVerdict:
    """What a reply says.

    ``kind``: one of ``REPLY_KINDS``. ``promised_date``/``promised_amount``: found in a promise
    (a date is never before the ``today`` given). ``invoice_refs``: those of the
    ``invoice_numbers`` given that the text names (for dispute and paid). ``matched``: the words,
    phrases or header values that decided the kind, to show to the collector.
    """

    kind: str
    promised_date: date | None = None
    promised_amount: Decimal | None = None
    invoice_refs: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()


_QUOTE_HEADER = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*original message\s*-{2,}"
    r"|on .{0,300}wrote:"
    r"|le .{0,300}a [ée]crit\s?:"
    r"|am .{0,300}schrieb .{0,300}:"
    r"|el .{0,300}escribi[óo]\s?:"
    r"|op .{0,300}schreef .{0,300}:"
    r")\s*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The new part of a reply: lines from the first quote header on, and ``>`` lines, dropped."""
    if not isinstance(text, str):
        return ""
    kept = []
    for line in text[:MAX_TEXT_LENGTH].splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _fold(text: str) -> str:
    """Lower case without accents, so that 'réglé' and 'regle' read alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_AUTO_HEADERS = ("auto-submitted", "x-autoreply", "x-autorespond")
_PHRASES = {
    "auto_reply": (
        "out of office",
        "absence",
        "abwesenheitsnotiz",
        "fuera de la oficina",
        "afwezig",
    ),
    "dispute": (
        "is wrong",
        "never received",
        "contestons",
        "reklamation",
        "incorrecta",
        "klopt niet",
    ),
    "paid": (
        "we paid",
        "already paid",
        "nous avons regle",
        "bereits bezahlt",
        "ya hemos pagado",
        "al betaald",
    ),
    "promise": (
        "will pay",
        "we'll pay",
        "i'll pay",
        "nous paierons",
        "wir zahlen",
        "pagaremos",
        "wij betalen",
    ),
}


def classify_reply(
    text: str,
    *,
    today: date,
    lang: str | None = None,
    headers: Mapping[str, str] | None = None,
    invoice_numbers: Iterable[str] = (),
) -> ReplyVerdict:
    """Classify a customer's reply (plain text; quoted history is stripped here).

    ``lang`` is an Odoo language code (``fr_BE``) or None for every language; ``headers`` the
    message's headers (keys in any case); ``invoice_numbers`` the numbers the text may name.
    """
    del lang, today  # first version: every language, no dates yet
    lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    for name in _AUTO_HEADERS:
        value = lowered.get(name)
        if value is not None and not (name == "auto-submitted" and value.strip().lower() == "no"):
            return ReplyVerdict("auto_reply", matched=(f"{name}: {value}"[:100],))
    body = _fold(strip_quoted(text if isinstance(text, str) else ""))
    for kind in ("auto_reply", "dispute", "paid", "promise"):
        hits = tuple(p for p in _PHRASES[kind] if p in body)
        if hits:
            refs = tuple(n for n in invoice_numbers if n and _fold(n) in body)
            return ReplyVerdict(
                kind, invoice_refs=refs if kind in ("dispute", "paid") else (), matched=hits
            )
    return ReplyVerdict("other")
