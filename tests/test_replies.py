"""Reading customers' replies to reminders: kind, promised date and amount, quoted history."""

from datetime import date

from odoo_automated_dunning.core.replies import (
    REPLY_KIND_LABELS,
    REPLY_KINDS,
    classify_reply,
    strip_quoted,
)

TODAY = date(2026, 12, 1)


def test_kinds_and_labels_agree():
    assert set(REPLY_KIND_LABELS) == set(REPLY_KINDS)


def test_auto_reply_by_header_wins():
    verdict = classify_reply(
        "We paid already", today=TODAY, headers={"Auto-Submitted": "auto-replied"}
    )
    assert verdict.kind == "auto_reply"


def test_human_reply_with_auto_submitted_no():
    verdict = classify_reply("We paid already", today=TODAY, headers={"auto-submitted": "no"})
    assert verdict.kind == "paid"


def test_dispute_names_invoice():
    verdict = classify_reply(
        "Invoice INV/2026/0012 is wrong.", today=TODAY, invoice_numbers=["INV/2026/0012"]
    )
    assert (verdict.kind, verdict.invoice_refs) == ("dispute", ("INV/2026/0012",))


def test_quoted_history_is_not_read():
    text = "Thanks.\n\nOn Mon, 30 Nov 2026 at 10:00, Billing <b@x.com> wrote:\n> we will pay"
    assert strip_quoted(text) == "Thanks."
    assert classify_reply(text, today=TODAY).kind == "other"


def test_french_paid():
    assert classify_reply("Bonjour, nous avons réglé la facture.", today=TODAY).kind == "paid"
