"""Reading customers' replies to reminders: kind, promised date and amount, quoted history.

Today is Tuesday 1 December 2026 in every test unless a test says otherwise.
"""

import random
import time
from datetime import date
from decimal import Decimal

import pytest

from odoo_automated_dunning.core import reply_words
from odoo_automated_dunning.core.replies import (
    MAX_TEXT_LENGTH,
    REPLY_KIND_LABELS,
    REPLY_KINDS,
    ReplyVerdict,
    classify_reply,
    strip_quoted,
)

TODAY = date(2026, 12, 1)
D15 = date(2026, 12, 15)


def verdict(text, lang=None, **kwargs):
    return classify_reply(text, today=kwargs.pop("today", TODAY), lang=lang, **kwargs)


def test_every_table_speaks_the_five_languages():
    for table in (
        reply_words.AUTO_REPLY_PHRASES,
        reply_words.PAID_PHRASES,
        reply_words.PROMISE_PHRASES,
        reply_words.PROMISE_WITH_DATE_PHRASES,
        reply_words.DISPUTE_PHRASES,
        reply_words.NEGATIONS_BEFORE,
        reply_words.MONTHS,
        reply_words.WEEKDAYS,
        reply_words.DAY_ONLY,
        reply_words.TERSE_PAID_WORDS,
    ):
        assert set(table) == set(reply_words.LANGUAGES)
    assert all(len(months) == 12 for months in reply_words.MONTHS.values())


def test_kinds_and_labels_agree():
    assert set(REPLY_KIND_LABELS) == set(REPLY_KINDS)
    assert REPLY_KINDS == ("promise", "paid", "dispute", "auto_reply", "other")


# --- Realistic replies, each with its client's quoted history ---------------------------------

GMAIL_EN = (
    "Hi,\n\nSorry for the delay. I'll pay invoice INV/2026/0042 on the 15th.\n\nBest,\nJohn\n\n"
    "On Mon, 30 Nov 2026 at 09:12, Acme Billing <billing@acme.test> wrote:\n"
    "> Dear John,\n> invoice INV/2026/0042 of $1,250.00 is overdue.\n"
    "> We never received your payment. Please pay by 5 December.\n"
)
OUTLOOK_EN = (
    "We paid this last week, see the remittance advice attached.\n\nRegards\nMary\n\n"
    "-----Original Message-----\nFrom: Acme Billing <billing@acme.test>\n"
    "Sent: Monday, November 30, 2026 9:12 AM\nTo: Mary Smith\nSubject: Payment reminder\n\n"
    "Dear Mary, invoice INV/2026/0042 is overdue. Please pay it by 15 December.\n"
)
OUTLOOK_FR = (
    "Bonjour,\n\nNous avons réglé la facture FAC/2026/0042 par virement le 20/11/2026.\n\n"
    "Cordialement,\nMarie Dupont\n\n________________________________\n"
    "De : Acme Facturation <billing@acme.test>\nEnvoyé : lundi 30 novembre 2026 09:12\n"
    "À : Marie Dupont\nObjet : Relance\n\nMadame, nous vous prions de régler avant le 15.\n"
)
# What Odoo's html2plaintext makes of an Outlook web reply: bold labels, no separator line.
OUTLOOK_FR_HTML2TEXT = (
    "Nous paierons le 15.\n*De :* Acme Facturation <billing@acme.test>\n"
    "*Envoyé :* lundi 30 novembre 2026 10:00\n*À :* Client\n*Objet :* Relance \xa0  "
    "Bonjour, nous contestons rien, veuillez payer\n"
)
GMAIL_FR = (
    "Bonjour,\n\nNous paierons le 15 décembre, soit 1 234,56 €.\n\nBien à vous\n\n"
    "Le lun. 30 nov. 2026 à 09:12, Acme Facturation <billing@acme.test> a écrit :\n"
    "> Madame, Monsieur,\n> la facture FAC/2026/0042 est échue. Nous avons déjà relancé.\n"
)
GMAIL_DE = (
    "Sehr geehrte Damen und Herren,\n\nwir zahlen bis zum 15.12. den Betrag von 1.234,56 EUR.\n\n"
    "Mit freundlichen Grüßen\nHans Müller\n\n"
    "Am Mo., 30. Nov. 2026 um 09:12 Uhr schrieb Acme Buchhaltung <billing@acme.test>:\n"
    "> Sehr geehrte Damen und Herren,\n> die Rechnung RE-2026-0042 wurde nicht bezahlt.\n"
)
OUTLOOK_DE = (
    "Guten Tag,\n\ndie Rechnung RE-2026-0042 wurde bereits am 20.11.2026 überwiesen.\n\n"
    "Von: Acme Buchhaltung <billing@acme.test>\nGesendet: Montag, 30. November 2026 09:12\n"
    "An: Hans Müller\nBetreff: Zahlungserinnerung\n\nBitte zahlen Sie bis zum 15.12.\n"
)
GMAIL_ES = (
    "Buenos días:\n\nPagaremos la factura el 15 de diciembre, por un importe de 1.234,56 €.\n\n"
    "Saludos\nLucía\n\n"
    "El lun, 30 nov 2026 a las 9:12, Acme Facturación (<billing@acme.test>) escribió:\n"
    "> Estimado cliente:\n> la factura F-2026-0042 está vencida y es incorrecta la fecha.\n"
)
OUTLOOK_ES = (
    "Hola,\n\nYa hemos pagado la factura F-2026-0042 mediante transferencia.\n\n"
    "De: Acme Facturación <billing@acme.test>\n"
    "Enviado el: lunes, 30 de noviembre de 2026 9:12\nPara: Lucía\nAsunto: Recordatorio\n\n"
    "Le rogamos que pague antes del 15 de diciembre.\n"
)
GMAIL_NL = (
    "Beste,\n\nWij betalen op 15 december het bedrag van € 1.234,56.\n\n"
    "Met vriendelijke groet\nJan\n\n"
    "Op ma 30 nov. 2026 om 09:12 schreef Acme Boekhouding <billing@acme.test>:\n"
    "> Geachte klant,\n> factuur 2026/0042 is niet betaald. Dit klopt niet.\n"
)
OUTLOOK_NL = (
    "Goedemiddag,\n\nDe factuur 2026/0042 is al betaald.\n\n"
    "Van: Acme Boekhouding <billing@acme.test>\nVerzonden: maandag 30 november 2026 09:12\n"
    "Aan: Jan\nOnderwerp: Herinnering\n\nWij verzoeken u te betalen voor 15 december.\n"
)

REPLIES = [
    # (lang, text, kind, promised date, promised amount)
    ("en_US", GMAIL_EN, "promise", D15, None),
    ("en_GB", OUTLOOK_EN, "paid", None, None),
    (
        "en_US",
        "Invoice INV/2026/0042 is wrong: we never received the goods.",
        "dispute",
        None,
        None,
    ),
    ("en_US", "We have not paid yet but will pay on the 15th.", "promise", D15, None),
    ("en_US", "We haven't paid yet, sorry about that.", "other", None, None),
    ("en_US", "We will not pay this invoice.", "dispute", None, None),
    ("en_US", "Could you send me a copy of the invoice please?", "other", None, None),
    ("en_US", "Payment was made on 20 November by wire transfer.", "paid", None, None),
    (
        "en_US",
        "I was out of office last week, sorry. We will pay on Friday.",
        "promise",
        date(2026, 12, 4),
        None,
    ),
    ("fr_FR", GMAIL_FR, "promise", D15, Decimal("1234.56")),
    ("fr_BE", OUTLOOK_FR, "paid", None, None),
    ("fr_FR", OUTLOOK_FR_HTML2TEXT, "promise", D15, None),
    (
        "fr_FR",
        "Nous contestons la facture FAC/2026/0042 : la marchandise est arrivée endommagée.",
        "dispute",
        None,
        None,
    ),
    (
        "fr_FR",
        "Nous n'avons pas encore réglé, nous paierons à la fin du mois.",
        "promise",
        date(2026, 12, 31),
        None,
    ),
    ("fr_FR", "Nous ne paierons pas cette facture.", "dispute", None, None),
    ("fr_FR", "nous avons deja regle la facture", "paid", None, None),
    ("fr_FR", "Merci de m'envoyer un duplicata.", "other", None, None),
    ("de_DE", GMAIL_DE, "promise", D15, Decimal("1234.56")),
    ("de_CH", OUTLOOK_DE, "paid", None, None),
    (
        "de_DE",
        "Reklamation: Die Ware kam beschädigt an, die Rechnung ist nicht korrekt.",
        "dispute",
        None,
        None,
    ),
    (
        "de_DE",
        "Wir haben noch nicht bezahlt, zahlen aber nächste Woche.",
        "promise",
        date(2026, 12, 11),
        None,
    ),
    ("de_DE", "Wir zahlen nicht, die Ware fehlt.", "dispute", None, None),
    ("de_DE", "Wir haben bereits ueberwiesen.", "paid", None, None),
    (
        "de_DE",
        "Guten Morgen, wir überweisen am Ende des Monats.",
        "promise",
        date(2026, 12, 31),
        None,
    ),
    ("de_DE", "Bitte schicken Sie uns eine Kopie.", "other", None, None),
    ("es_ES", GMAIL_ES, "promise", D15, Decimal("1234.56")),
    ("es_MX", OUTLOOK_ES, "paid", None, None),
    (
        "es_ES",
        "La factura F-2026-0042 es incorrecta, nunca recibimos la mercancía.",
        "dispute",
        None,
        None,
    ),
    (
        "es_ES",
        "Todavía no hemos pagado, pero pagaremos la próxima semana.",
        "promise",
        date(2026, 12, 11),
        None,
    ),
    (
        "es_MX",
        "Le pagaremos el 15/12/2026 la cantidad de $1,234.56 MXN.",
        "promise",
        D15,
        Decimal("1234.56"),
    ),
    ("es_ES", "ya hemos pagado", "paid", None, None),
    ("es_ES", "¿Pueden enviarme la factura otra vez?", "other", None, None),
    ("nl_NL", GMAIL_NL, "promise", D15, Decimal("1234.56")),
    ("nl_BE", OUTLOOK_NL, "paid", None, None),
    (
        "nl_NL",
        "Factuur 2026/0042 klopt niet, de goederen zijn nooit geleverd.",
        "dispute",
        None,
        None,
    ),
    (
        "nl_NL",
        "Wij hebben nog niet betaald maar betalen volgende week.",
        "promise",
        date(2026, 12, 11),
        None,
    ),
    ("nl_BE", "Ik betaal op de 15e.", "promise", D15, None),
    ("nl_NL", "Kunt u de factuur opnieuw sturen?", "other", None, None),
]


# Short answers as customers write them.
REPLIES += [
    ("en_US", "Hi, we sent the payment yesterday via ACH. Please check.", "paid", None, None),
    ("en_US", "This was paid on Nov 20th, check number 10234.", "paid", None, None),
    ("en_US", "The check is in the mail.", "paid", None, None),
    ("en_US", "Please send us the invoice again, we never got it.", "dispute", None, None),
    ("en_US", "We are waiting for the credit note before we can pay.", "dispute", None, None),
    ("en_US", "I'll take care of it by end of week.", "promise", date(2026, 12, 4), None),
    ("en_US", "Payment is scheduled for 12/18.", "promise", date(2026, 12, 18), None),
    (
        "en_GB",
        "We will settle the balance of £2,300 by 31st December.",
        "promise",
        date(2026, 12, 31),
        Decimal(2300),
    ),
    ("en_US", "Thanks, we'll look into it.", "other", None, None),
    ("fr_FR", "Le virement a été effectué hier.", "paid", None, None),
    ("fr_FR", "Je règle la facture demain.", "promise", date(2026, 12, 2), None),
    ("fr_FR", "Nous procéderons au règlement le 10 décembre.", "promise", date(2026, 12, 10), None),
    ("fr_FR", "Le paiement sera fait avant le 20.", "promise", date(2026, 12, 20), None),
    ("fr_FR", "Cette facture ne nous concerne pas.", "dispute", None, None),
    ("fr_FR", "Merci, c'est noté.", "other", None, None),
    ("de_DE", "Die Zahlung ist unterwegs.", "paid", None, None),
    ("de_DE", "Rechnung wurde am 25.11. beglichen.", "paid", None, None),
    ("de_DE", "Betrag wird am Freitag angewiesen.", "promise", date(2026, 12, 4), None),
    (
        "de_DE",
        "Wir begleichen die Rechnung bis Ende Dezember.",
        "promise",
        date(2026, 12, 31),
        None,
    ),
    ("de_DE", "Wir werden die offene Rechnung am 15.12. bezahlen.", "promise", D15, None),
    ("de_DE", "Ich überweise morgen 500 Euro.", "promise", date(2026, 12, 2), Decimal(500)),
    ("de_DE", "Danke, wir kümmern uns darum.", "other", None, None),
    ("es_ES", "Le haremos la transferencia el viernes.", "promise", date(2026, 12, 4), None),
    ("es_ES", "El pago se hará a fin de mes.", "promise", date(2026, 12, 31), None),
    ("es_ES", "La factura ya está pagada desde el 20 de noviembre.", "paid", None, None),
    ("es_MX", "Ya se pagó, le envío el comprobante.", "paid", None, None),
    ("es_ES", "Gracias, lo revisamos.", "other", None, None),
    ("nl_NL", "Het bedrag is gisteren overgemaakt.", "paid", None, None),
    ("nl_NL", "We maken het volgende week over.", "promise", date(2026, 12, 11), None),
    (
        "nl_NL",
        "Ik zal het bedrag van 250 euro morgen overmaken.",
        "promise",
        date(2026, 12, 2),
        Decimal(250),
    ),
    ("nl_NL", "De betaling volgt eind deze maand.", "promise", date(2026, 12, 31), None),
    # Verb last, with an amount and a date between the verbs (nine and ten words).
    (
        "nl_NL",
        "Wij zullen het bedrag van € 1.250,75 uiterlijk 15 december 2026 overmaken.",
        "promise",
        D15,
        Decimal("1250.75"),
    ),
    (
        "de_DE",
        "Wir werden den offenen Betrag von 1.250,75 € bis spätestens zum 15.12.2026 überweisen.",
        "promise",
        D15,
        Decimal("1250.75"),
    ),
    ("nl_BE", "Wij hebben deze factuur nooit ontvangen.", "dispute", None, None),
    ("nl_NL", "Bedankt, we kijken ernaar.", "other", None, None),
    # Weaker words ("pay", "Zahlung") promise only with a date close after them.
    ("en_US", "Can I pay by card?", "other", None, None),
    ("en_US", "How do I pay this invoice online?", "other", None, None),
    ("en_US", "Payment on the 15th.", "promise", D15, None),
    ("fr_FR", "Paiement le 15.", "promise", D15, None),
    ("fr_FR", "Comment payer le solde ?", "other", None, None),
    ("de_DE", "Zahlung am 15.12.", "promise", D15, None),
    ("de_DE", "Kann ich per PayPal bezahlen?", "other", None, None),
    ("es_ES", "Pago el viernes.", "promise", date(2026, 12, 4), None),
    ("nl_NL", "Betaling op 15 december.", "promise", D15, None),
    ("nl_NL", "Hoe kan ik betalen voor deze factuur?", "other", None, None),
    # Negations in each language.
    ("de_DE", "Wir haben die Rechnung nicht bezahlt, weil sie falsch ist.", "dispute", None, None),
    ("es_ES", "No hemos pagado porque la factura es incorrecta.", "dispute", None, None),
    ("es_ES", "Todavía no hemos pagado.", "other", None, None),
    ("nl_NL", "Wij betalen niet.", "other", None, None),
    ("fr_FR", "Nous ne pouvons pas payer ce mois-ci.", "other", None, None),
    ("en_US", "We will never pay on the 15th.", "other", None, None),
    # The customer's language first, then the others: an English answer from a German customer
    # (a German weaker word without a date decides nothing).
    ("de_DE", "Zahlung? We never received the goods.", "dispute", None, None),
    ("fr_FR", "Sorry, we will pay on the 15th.", "promise", D15, None),
    # A terse line says paid; the same word in a longer sentence says too little.
    ("en_US", "Paid. Thanks, John", "paid", None, None),
    ("en_US", "Payment sent.", "paid", None, None),
    ("en_US", "Not paid yet.", "other", None, None),
    ("en_US", "The invoice must be paid by Friday as agreed with you", "other", None, None),
    (
        "de_DE",
        "Bezahlt, danke!\n\nMit freundlichen Grüßen\nHans Müller\nACME GmbH",
        "paid",
        None,
        None,
    ),
    ("fr_FR", "Fait.", "paid", None, None),
    ("es_ES", "Ya pagado", "paid", None, None),
    ("nl_NL", "Wanneer moet dit betaald worden?", "other", None, None),
    # A promise on condition of a corrected invoice is a dispute.
    ("en_US", "We will pay once you send us the corrected invoice.", "dispute", None, None),
    ("de_DE", "Bitte die Rechnung korrigieren, dann zahlen wir.", "dispute", None, None),
    # Paid in part, the rest promised: the promise decides.
    (
        "en_US",
        "We already paid half, the rest will follow next week.",
        "promise",
        date(2026, 12, 11),
        None,
    ),
    (
        "en_US",
        "The invoice will be paid with our payment run on 10 December.",
        "promise",
        date(2026, 12, 10),
        None,
    ),
    ("fr_FR", "Je vous fais le virement ce soir.", "promise", TODAY, None),
    ("fr_FR", "Le règlement a été envoyé par chèque le 25 novembre.", "paid", None, None),
    ("de_DE", "Zahlung erfolgt nächste Woche.", "promise", date(2026, 12, 11), None),
    ("de_DE", "Die Zahlung ist am 25.11. erfolgt.", "paid", None, None),
    ("de_DE", "Die Rechnung ist uns nicht bekannt.", "dispute", None, None),
    ("es_ES", "¿Podemos pagar en dos plazos?", "other", None, None),
    ("es_ES", "Ya le hicimos la transferencia el lunes.", "paid", None, None),
    ("nl_NL", "Het bedrag wordt vandaag overgemaakt.", "promise", TODAY, None),
    ("nl_NL", "Deze factuur is reeds voldaan op 20 november.", "paid", None, None),
    # A weaker word after "already paid" in the same sentence tells how it was paid.
    ("en_US", "Hi, I already paid it by bank transfer on Monday.", "paid", None, None),
    ("en_US", "We paid 1.200 EUR by transfer on Monday.", "paid", None, None),
    ("fr_FR", "Nous avons déjà payé la facture par virement lundi.", "paid", None, None),
    ("es_ES", "Ya hemos pagado la factura por transferencia el lunes.", "paid", None, None),
    # ... but not in the next sentence.
    (
        "en_US",
        "We already paid the first invoice. The rest: transfer on the 15th.",
        "promise",
        D15,
        None,
    ),
]


@pytest.mark.parametrize(("lang", "text", "kind", "when", "amount"), REPLIES)
def test_reply(lang, text, kind, when, amount):
    result = verdict(text, lang)
    assert (result.kind, result.promised_date, result.promised_amount) == (kind, when, amount)
    if kind != "other":
        assert result.matched, "the collector sees why"


@pytest.mark.parametrize(("lang", "text", "kind", "when", "amount"), REPLIES)
def test_reply_without_language(lang, text, kind, when, amount):
    """Without the customer's language every language is read, with the same result (the
    numeric dates here are not ambiguous)."""
    del lang
    result = verdict(text, None)
    assert (result.kind, result.promised_date, result.promised_amount) == (kind, when, amount)


def test_matched_shows_the_customers_words():
    result = verdict(GMAIL_FR, "fr_FR")
    assert result.matched == ("paierons", "15 décembre", "1 234,56 €")
    assert verdict(OUTLOOK_DE, "de_DE").matched == ("wurde bereits am 20.11.2026 überwiesen",)


# --- Quoted history ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "new_part"),
    [
        (
            GMAIL_EN,
            "Hi,\n\nSorry for the delay. I'll pay invoice INV/2026/0042 on the 15th.\n\nBest,\nJohn",
        ),
        (
            OUTLOOK_EN,
            "We paid this last week, see the remittance advice attached.\n\nRegards\nMary",
        ),
        (
            OUTLOOK_FR,
            "Bonjour,\n\nNous avons réglé la facture FAC/2026/0042 par virement le 20/11/2026.\n\nCordialement,\nMarie Dupont",
        ),
        (OUTLOOK_FR_HTML2TEXT, "Nous paierons le 15."),
        (GMAIL_FR, "Bonjour,\n\nNous paierons le 15 décembre, soit 1 234,56 €.\n\nBien à vous"),
        (
            GMAIL_DE,
            "Sehr geehrte Damen und Herren,\n\nwir zahlen bis zum 15.12. den Betrag von 1.234,56 EUR.\n\nMit freundlichen Grüßen\nHans Müller",
        ),
        (
            OUTLOOK_DE,
            "Guten Tag,\n\ndie Rechnung RE-2026-0042 wurde bereits am 20.11.2026 überwiesen.",
        ),
        (
            GMAIL_ES,
            "Buenos días:\n\nPagaremos la factura el 15 de diciembre, por un importe de 1.234,56 €.\n\nSaludos\nLucía",
        ),
        (OUTLOOK_ES, "Hola,\n\nYa hemos pagado la factura F-2026-0042 mediante transferencia."),
        (
            GMAIL_NL,
            "Beste,\n\nWij betalen op 15 december het bedrag van € 1.234,56.\n\nMet vriendelijke groet\nJan",
        ),
        (OUTLOOK_NL, "Goedemiddag,\n\nDe factuur 2026/0042 is al betaald."),
        # The intro on the line of the text before it (html2plaintext joins blocks), and
        # wrapped on two lines.
        (
            "We will pay on 15 December. On Mon, 30 Nov 2026 at 10:00, Billing <b@x.test> wrote: pay!",
            "We will pay on 15 December.",
        ),
        (
            "Thanks\nOn Mon, 30 Nov 2026 at 10:00, Acme Billing <\nbilling@acme.test> wrote:\nplease pay",
            "Thanks",
        ),
        ("Bottom post\n> quoted line\nmy answer\n-- \nJohn Smith\nACME", "Bottom post\nmy answer"),
        ("Le 30/11/2026 à 10:00, Acme a écrit\u00a0:\n> payez", ""),
        ("Nothing quoted here.", "Nothing quoted here."),
        # The earliest mark wins: a Gmail intro above an Outlook block quoted inside it.
        (
            "Paid.\nOn Mon, 30 Nov 2026 at 10:00, Acme <b@x.test> wrote:\n> Hello\n"
            "> -----Original Message-----\n> From: x\n> Sent: y\n",
            "Paid.",
        ),
        (
            "Paid.\n\nFrom: Acme\nSent: Monday\nTo: me\n\nOn Mon, 30 Nov 2026, Acme wrote:\n",
            "Paid.",
        ),
        # Yahoo, Apple Mail and Thunderbird in their languages.
        (
            "Paid.\nOn Monday, November 30, 2026, 09:12:00 AM GMT+1, Acme <b@x.test> wrote:\nx",
            "Paid.",
        ),
        (
            "Betaald.\n\nOp 30 nov. 2026 om 09:12 heeft Acme <b@x.test> het volgende geschreven:\n\nx",
            "Betaald.",
        ),
        ("Bezahlt.\nAm 30.11.26 um 09:12 schrieb Acme:\nx", "Bezahlt."),
        ("Pagado.\nEl 30/11/26 a las 9:12, Acme escribió:\nx", "Pagado."),
        ("Réglé.\nLe 30 nov. 2026 à 09:12, Acme <b@x.test> a écrit :\nx", "Réglé."),
    ],
)
def test_strip_quoted(text, new_part):
    assert strip_quoted(text) == new_part


def test_quoted_reminder_is_not_read():
    """The reminder quoted below says "never received your payment" and "pay by 5 December":
    neither makes the reply a dispute or a promise for the 5th."""
    text = "Thanks for the reminder.\n\n" + GMAIL_EN.split("\n\n", 3)[3]
    assert verdict(text, "en_US") == ReplyVerdict("other")


# --- Auto-replies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto_reply"),
        ({"auto-submitted": "auto-generated; owner-email=x@y.test"}, "auto_reply"),
        ({"AUTO-SUBMITTED": "No"}, "promise"),  # RFC 3834: a person's message
        ({"X-Autoreply": "yes"}, "auto_reply"),
        ({"X-Autorespond": "Out of office"}, "auto_reply"),
        ({"Precedence": "auto_reply"}, "auto_reply"),
        ({"Precedence": "bulk"}, "auto_reply"),
        ({"Precedence": "junk"}, "auto_reply"),
        ({"Precedence": "list"}, "promise"),  # a person writing through a mailing list
        ({"X-Auto-Response-Suppress": "All"}, "promise"),  # Outlook sets it on people's mail
        ({"Subject": "Out of Office: Payment reminder"}, "auto_reply"),
        ({"Subject": "Automatic reply: Payment reminder"}, "auto_reply"),
        ({"Subject": "Réponse automatique : Relance"}, "auto_reply"),
        ({"Subject": "Absence du 1er au 15 décembre"}, "auto_reply"),
        ({"Subject": "Abwesenheitsnotiz: Zahlungserinnerung"}, "auto_reply"),
        ({"Subject": "Fuera de la oficina: Recordatorio"}, "auto_reply"),
        ({"Subject": "Afwezig: Herinnering"}, "auto_reply"),
        ({"Subject": "=?utf-8?q?R=C3=A9ponse_automatique_:_Relance?="}, "auto_reply"),
        ({"Subject": "=?utf-8?b?UmVzcHVlc3RhIGF1dG9tw6F0aWNhOiBSZWNvcmRhdG9yaW8=?="}, "auto_reply"),
        ({"Subject": "=?broken?x?zzz?="}, "promise"),
        ({"Auto-Submitted": "no (a person wrote this)"}, "promise"),
        ({"Auto-Submitted": "auto-replied (vacation)"}, "auto_reply"),
        ({"Subject": "Re: Payment reminder"}, "promise"),
        ({"Subject": "Re: Absence of payment"}, "promise"),
        (None, "promise"),
    ],
)
def test_auto_reply_headers_win_over_everything(headers, kind):
    result = verdict("We will pay on the 15th.", "en_US", headers=headers)
    assert result.kind == kind
    if kind == "auto_reply":
        assert result.promised_date is None and result.matched


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en_US", "I am out of the office until 7 December with limited access to email."),
        ("en_GB", "Thank you for your email. I am currently on leave until 7 December."),
        ("fr_FR", "Bonjour, je suis absente jusqu'au 7 décembre. En cas d'urgence, contactez..."),
        ("de_DE", "Vielen Dank für Ihre Nachricht. Ich bin bis zum 7.12. nicht im Büro."),
        ("es_ES", "Estoy fuera de la oficina hasta el 7 de diciembre."),
        ("nl_NL", "Ik ben afwezig tot 7 december. Uw bericht wordt niet doorgestuurd."),
    ],
)
def test_out_of_office_text(lang, text):
    result = verdict(text, lang)
    assert (result.kind, result.promised_date) == ("auto_reply", None)


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words", "when"),
    [
        ("en_GB", "15/12/2026", D15),
        ("de_DE", "15.12.2026", D15),
        ("fr_FR", "2026-12-15", D15),
        ("nl_NL", "15-12-2026", D15),
        ("es_ES", "15/12/26", D15),
        ("en_US", "12/15/2026", D15),
        ("en_GB", "12/15/2026", D15),  # no 15th month: read month first
        ("en_US", "01/02/2027", date(2027, 1, 2)),
        ("en_US", "01.02.2027", date(2027, 2, 1)),  # dots: day first everywhere
        ("en_GB", "01/02/2027", date(2027, 2, 1)),
        ("fr_FR", "01/02/2027", date(2027, 2, 1)),
        ("de_DE", "15.12.", D15),
        ("fr_FR", "15/12", D15),
        ("en_US", "12/15", D15),
        ("en_GB", "15 Dec", D15),
        ("en_US", "December 15th", D15),
        ("en_US", "Dec. 15, 2026", D15),
        ("en_GB", "the 15th of December", D15),
        ("fr_FR", "1er janvier", date(2027, 1, 1)),
        ("fr_FR", "15 déc. 2026", D15),
        ("fr_FR", "15 decembre", D15),
        ("de_DE", "15. Dezember 2026", D15),
        ("de_DE", "15. Dez.", D15),
        ("de_DE", "3. März", date(2027, 3, 3)),
        ("de_DE", "3. Maerz", date(2027, 3, 3)),
        ("es_ES", "15 de diciembre de 2026", D15),
        ("es_ES", "15 dic", D15),
        ("nl_NL", "15 december", D15),
        ("nl_NL", "3 mrt", date(2027, 3, 3)),
        ("en_US", "15 September", date(2027, 9, 15)),  # no year: the next one
        ("en_US", "20 November", None),  # no year, 11 days ago: a past date, no promise date
        ("en_US", "the 15th", D15),
        ("en_US", "the 1st", TODAY),
        ("fr_FR", "le 15", D15),
        ("de_DE", "am 15.", D15),
        ("es_ES", "el 15", D15),
        ("es_ES", "el día 15", D15),
        ("nl_NL", "op de 15e", D15),
        ("en_US", "today", TODAY),
        ("en_US", "tomorrow", date(2026, 12, 2)),
        ("en_US", "the day after tomorrow", date(2026, 12, 3)),
        ("en_US", "next week", date(2026, 12, 11)),
        ("en_US", "by the end of the month", date(2026, 12, 31)),
        ("en_US", "next month", date(2027, 1, 31)),
        ("en_US", "in 10 days", date(2026, 12, 11)),
        ("en_US", "on Friday", date(2026, 12, 4)),
        ("fr_FR", "demain", date(2026, 12, 2)),
        ("fr_FR", "fin du mois", date(2026, 12, 31)),
        ("fr_FR", "dans 2 semaines", date(2026, 12, 15)),
        ("fr_FR", "vendredi", date(2026, 12, 4)),
        ("de_DE", "morgen", date(2026, 12, 2)),
        ("de_DE", "nächste Woche", date(2026, 12, 11)),
        ("de_DE", "Ende des Monats", date(2026, 12, 31)),
        ("de_DE", "innerhalb von 10 Tagen", date(2026, 12, 11)),
        ("es_ES", "mañana", date(2026, 12, 2)),
        ("es_ES", "la próxima semana", date(2026, 12, 11)),
        ("es_ES", "a finales de mes", date(2026, 12, 31)),
        ("nl_NL", "morgen", date(2026, 12, 2)),
        ("nl_NL", "volgende week", date(2026, 12, 11)),
        ("nl_NL", "eind van de maand", date(2026, 12, 31)),
        ("en_US", "by the end of January", date(2027, 1, 31)),
        ("en_US", "mid-January", date(2027, 1, 15)),
        ("fr_FR", "fin février", date(2027, 2, 28)),
        ("fr_FR", "mi-janvier", date(2027, 1, 15)),
        ("de_DE", "Ende Februar 2027", date(2027, 2, 28)),
        ("de_DE", "Mitte Januar", date(2027, 1, 15)),
        ("es_ES", "a finales de enero", date(2027, 1, 31)),
        ("es_ES", "a mediados de enero", date(2027, 1, 15)),
        ("nl_NL", "eind januari", date(2027, 1, 31)),
        ("nl_NL", "half januari", date(2027, 1, 15)),
    ],
)
def test_promised_date(lang, words, when):
    opening = {
        "en": "We will pay",
        "fr": "Nous paierons",
        "de": "Wir zahlen",
        "es": "Pagaremos",
        "nl": "Wij betalen",
    }[lang[:2]]
    result = verdict(f"{opening} {words}.", lang)
    assert (result.kind, result.promised_date, result.promised_amount) == ("promise", when, None)


def test_day_of_month_already_past_means_next_month():
    result = verdict("I will pay on the 15th.", "en_US", today=date(2026, 12, 20))
    assert result.promised_date == date(2027, 1, 15)
    result = verdict("Ich zahle am 31.", "de_DE", today=date(2027, 2, 1))
    assert result.promised_date == date(2027, 3, 31)  # February has no 31st


@pytest.mark.parametrize(
    "words",
    ["on 20/11/2026", "on 15/12/2030", "on 30 February", "on 2026-13-01", "1/2 now"],
)
def test_no_promise_date_in_the_past_far_future_or_impossible(words):
    result = verdict(f"We will pay {words}.", "en_GB")
    assert (result.kind, result.promised_date) == ("promise", None)


def test_date_nearest_after_the_promise():
    text = "Your reminder of 20/11/2026 came on Monday. We will pay on 15/12/2026, not on the 10th."
    assert verdict(text, "en_GB").promised_date == D15


# --- Amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words", "amount"),
    [
        ("en_US", "1,234.56 USD", Decimal("1234.56")),
        ("en_US", "$1,234.56", Decimal("1234.56")),
        ("de_DE", "1.234,56 €", Decimal("1234.56")),
        ("fr_FR", "1 234,56 €", Decimal("1234.56")),
        ("fr_FR", "1\u202f234,56\u00a0€", Decimal("1234.56")),
        ("fr_FR", "1\u00a0234,56 EUR", Decimal("1234.56")),
        ("nl_NL", "€ 500", Decimal("500")),
        ("nl_NL", "€ 500,-", Decimal("500")),
        ("en_GB", "£500", Decimal("500")),
        ("es_ES", "500 EUR", Decimal("500")),
        ("es_ES", "500 euros", Decimal("500")),
        ("de_CH", "CHF 1'234.50", Decimal("1234.50")),
        ("en_US", "the amount of 750", Decimal("750")),
        ("fr_FR", "le montant de 1 500,00", Decimal("1500.00")),
        ("de_DE", "den Betrag von 2.000", Decimal("2000")),
        ("en_US", "1,234,567.89 EUR", Decimal("1234567.89")),
        ("de_DE", "1.234.567,89 EUR", Decimal("1234567.89")),
        ("en_US", "12.5 EUR", Decimal("12.5")),
    ],
)
def test_promised_amount(lang, words, amount):
    result = verdict(f"We will pay {words} on the 15th.", lang)
    assert (result.kind, result.promised_date, result.promised_amount) == ("promise", D15, amount)


@pytest.mark.parametrize(
    "text",
    [
        "We will pay invoice INV/2026/0042 on 15.12.2026.",
        "We will pay invoice 1234 on the 15th.",
        "We will pay the 3 invoices on the 15th, total 3 invoices.",
        "Wir zahlen die Rechnung 2026-0042 am 15.12.",
    ],
)
def test_numbers_without_currency_are_no_amount(text):
    result = verdict(text, "en_US")
    assert (result.kind, result.promised_date, result.promised_amount) == ("promise", D15, None)


def test_amount_nearest_after_the_promise():
    text = "We paid 200 € last week and will pay the remaining 300 € on the 15th."
    result = verdict(text, "en_GB")
    assert (result.kind, result.promised_date, result.promised_amount) == (
        "promise",
        D15,
        Decimal(300),
    )


# --- Invoice numbers --------------------------------------------------------------------------


def test_invoice_numbers_named_whole_and_in_any_case():
    numbers = ["INV/2026/0042", "INV/2026/0004", "INV/2026/0043", "", None]
    text = "Invoices inv/2026/0042 and INV/2026/00431 are wrong."
    result = verdict(text, "en_US", invoice_numbers=numbers)
    assert (result.kind, result.invoice_refs) == ("dispute", ("INV/2026/0042",))


def test_invoice_numbers_in_quoted_history_are_not_named():
    result = verdict(OUTLOOK_EN, "en_US", invoice_numbers=["INV/2026/0042"])
    assert (result.kind, result.invoice_refs) == ("paid", ())
    result = verdict(OUTLOOK_FR, "fr_FR", invoice_numbers=["FAC/2026/0042", "FAC/2026/0041"])
    assert (result.kind, result.invoice_refs) == ("paid", ("FAC/2026/0042",))


# --- Hostile input ----------------------------------------------------------------------------


def _hostile_texts():
    rng = random.Random(20261201)
    alphabet = "0123456789.,/-: €$\n\t>'*éßü\x00\u00a0\u202fabcdefghijklmnopqrstuvwxyz"
    yield ""
    yield "\x00" * 50_000
    yield "1" * 100_000
    yield "1," * 50_000
    yield "1.1." * 25_000
    yield "15/12/" * 10_000
    yield "1 234 " * 10_000
    yield "€ 1" * 20_000
    yield "we will pay " * 5_000
    yield "will " + "x " * 30_000 + "pay"
    yield "the amount " * 5_000 + "1"
    yield ("On " + "1" * 300 + " wrote:\n") * 200
    yield "wrote: " * 10_000
    yield "schrieb :" * 5_000 + "am 1"
    yield "From: x\n" * 10_000
    yield ">" * 100_000
    yield "\n" * 100_000
    yield "a\u0301" * 30_000
    yield "\ud800\udfff" * 1000 + "we paid"
    yield "ﬁ" * 10_000 + "İ" * 10_000
    yield "le " * 10_000 + "15"
    yield "15 " * 10_000 + "december"
    yield "december " * 10_000
    yield "in 10 " * 10_000 + "days"
    every_pattern = (
        "15/12/2026 2026-12-15 15 décembre december 15 15.12. le 15 the 15th demain next week "
        "in 10 days friday € 1.234,56 500 eur amount of 12 pay zahlung wir werden nicht "
        "will pay we paid never received not "
    )
    yield every_pattern * 400
    yield every_pattern.replace(" ", "\n") * 400
    yield "pay 15/12 " * 3000
    yield "werden " * 4000
    yield "amount " * 3000 + "1 234 567,89 " * 1000
    for _ in range(30):
        size = rng.choice((10, 100, 1000, 20_000, 60_000))
        yield "".join(rng.choices(alphabet, k=size))


def test_hostile_input_never_raises_and_is_bounded():
    """Each call within half a second of CPU time (this process's own, so that other work on
    the machine does not count); about a tenth of that on a quiet machine."""
    worst = 0.0
    for text in _hostile_texts():
        for lang in (None, "de_DE"):
            started = time.process_time()
            result = classify_reply(
                text,
                today=TODAY,
                lang=lang,
                headers={"Subject": text[:5000], "X-Other": text},
                invoice_numbers=[text[:100], "1", "INV/2026/0042"] * 400,
            )
            worst = max(worst, time.process_time() - started)
            assert result.kind in REPLY_KINDS
            assert len(strip_quoted(text)) <= MAX_TEXT_LENGTH
    assert worst < 0.5, f"slowest hostile reply took {worst:.3f} s"


def test_many_invoice_numbers_found_only_inside_words_are_bounded():
    """A thousand invoice numbers, each in the text many times but never as a whole word."""
    text = "ab1" * 7000
    numbers = [text[start : start + length] for start in range(3) for length in range(2, 60)]
    numbers += [f"{number}-{index}" for index, number in enumerate(numbers * 10)]
    started = time.process_time()
    result = verdict(text, "en_US", invoice_numbers=numbers[:1000])
    assert (result.kind, result.invoice_refs) == ("other", ())
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": None},
        {"text": b"we paid"},
        {"text": "we paid", "headers": ["not", "a", "mapping"]},
        {"text": "we paid", "headers": {1: 2, None: None}},
        {"text": "we paid", "invoice_numbers": 7},
        {"text": "we paid", "invoice_numbers": [1, None, b"x", "we"]},
        {"text": "we paid", "lang": "\x00"},
    ],
)
def test_wrong_types_give_a_verdict(kwargs):
    result = classify_reply(today=TODAY, **kwargs)
    assert result.kind in ("paid", "other")
