from contextlib import closing
from datetime import date

from odoo.fields import Command
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon
from .test_dunning_replies import ReplyEmails

COMPANY = "Company <credit@company.example.com>"

# How each customer's mail client quotes the reminder under its answer (plain text, then
# HTML): the reminder's own words speak of payment and must decide nothing. {inv}: the
# invoice it names.
QUOTES = {
    "en_US": (
        f"\n\nOn Fri, Jun 20, 2025 at 11:00 AM {COMPANY} wrote:\n"
        "> Dear customer, invoice {inv} is overdue.\n"
        "> If you have already paid, please ignore this reminder.\n",
        "<div class='gmail_quote'><div dir='ltr' class='gmail_attr'>On Fri, Jun 20, 2025 at "
        "11:00 AM Company &lt;credit@company.example.com&gt; wrote:<br></div>"
        "<blockquote class='gmail_quote'>Dear customer, invoice {inv} is overdue. If you have "
        "already paid, please ignore this reminder.</blockquote></div>",
    ),
    "fr_FR": (
        f"\n\nLe ven. 20 juin 2025 à 11:00, {COMPANY} a écrit :\n"
        "> Madame, Monsieur, la facture {inv} est échue.\n"
        "> Si vous l'avez déjà réglée, merci de ne pas tenir compte de ce rappel.\n",
        "<div class='moz-cite-prefix'>Le 20/06/2025 à 11:00, Company a écrit&nbsp;:<br></div>"
        "<blockquote type='cite'>Madame, Monsieur, la facture {inv} est échue. Si vous l'avez "
        "déjà réglée, merci de ne pas tenir compte de ce rappel.</blockquote>",
    ),
    "de_DE": (
        f"\n\nVon: {COMPANY}\nGesendet: Freitag, 20. Juni 2025 11:00\n"
        "An: Buchhaltung <billing-de@example.com>\nBetreff: Zahlungserinnerung\n\n"
        "Sehr geehrte Damen und Herren, die Rechnung {inv} ist überfällig. Falls Sie bereits "
        "bezahlt haben, betrachten Sie dieses Schreiben bitte als gegenstandslos.\n",
        "<div id='appendonsend'></div><hr style='display:inline-block;width:98%'>"
        "<div id='divRplyFwdMsg' dir='ltr'><b>Von:</b> Company &lt;credit@company.example.com"
        "&gt;<br><b>Gesendet:</b> Freitag, 20. Juni 2025 11:00<br><b>An:</b> Buchhaltung<br>"
        "<b>Betreff:</b> Zahlungserinnerung</div><div>Sehr geehrte Damen und Herren, die "
        "Rechnung {inv} ist überfällig. Falls Sie bereits bezahlt haben, betrachten Sie dieses "
        "Schreiben bitte als gegenstandslos.</div>",
    ),
    "es_ES": (
        f"\n\nEl vie, 20 jun 2025 a las 11:00, {COMPANY} escribió:\n"
        "> Estimado cliente, la factura {inv} está vencida.\n"
        "> Si ya la ha pagado, ignore este recordatorio.\n",
        "<div class='gmail_quote'><div dir='ltr' class='gmail_attr'>El vie, 20 jun 2025 a las "
        "11:00, Company (&lt;credit@company.example.com&gt;) escribió:<br></div>"
        "<blockquote class='gmail_quote'>Estimado cliente, la factura {inv} está vencida. Si ya "
        "la ha pagado, ignore este recordatorio.</blockquote></div>",
    ),
    "nl_NL": (
        f"\n\nOp vr 20 jun. 2025 om 11:00 schreef {COMPANY}:\n"
        "> Geachte klant, factuur {inv} is vervallen.\n"
        "> Als u al betaald heeft, kunt u deze herinnering negeren.\n",
        "<div><br><blockquote type='cite'><div>Op 20 jun. 2025 om 11:00 heeft Company "
        "&lt;credit@company.example.com&gt; het volgende geschreven:</div><br><div>Geachte "
        "klant, factuur {inv} is vervallen. Als u al betaald heeft, kunt u deze herinnering "
        "negeren.</div></blockquote></div>",
    ),
}

# A few words of each quoted reminder, which the reply's excerpt must not hold.
QUOTE_MARKS = {
    "en_US": "Dear customer",
    "fr_FR": "Madame, Monsieur",
    "de_DE": "Damen und Herren, die Rechnung",
    "es_ES": "Estimado cliente",
    "nl_NL": "Geachte klant",
}

PROMISED = (date(2025, 7, 15), 1250.75)

# (language, kind, html, headers, text). {a}: the first invoice of the reminder, {b}: the
# second (the one a dispute names). Texts as customers write them.
CASES = [
    # ---------------------------------------------------------------- English
    (
        "en_US",
        "promise",
        False,
        None,
        "Hi,\n\nSorry for the delay, our payment run was postponed. We will pay $1,250.75 "
        "on July 15, 2025 and the balance shortly after.\n\nBest regards,\nJane",
    ),
    (
        "en_US",
        "paid",
        True,
        None,
        "Hello,\n\nWe already paid invoice {a} last Wednesday by bank transfer. Could you "
        "check your account again?\n\nKind regards,\nJane",
    ),
    (
        "en_US",
        "dispute",
        False,
        None,
        "Hello,\n\nInvoice {b} is wrong: you charged us for 12 licences but we only ordered "
        "10. Please send us a corrected invoice.\n\nThanks,\nJane",
    ),
    (
        "en_US",
        "auto_reply",
        True,
        {"Auto-Submitted": "auto-replied"},
        "Thank you for contacting Bluebird Supplies. Your message has been received and our "
        "accounts payable team will get back to you.",
    ),
    (
        "en_US",
        "auto_reply",
        False,
        None,
        "Thank you for your email. I am out of the office until Tuesday, July 1 with limited "
        "access to email. For urgent matters please contact ap@bluebird.example.com.",
    ),
    (
        "en_US",
        "other",
        False,
        None,
        "Hi,\n\nCould you send us the purchase order number for this invoice? Our system "
        "cannot book it without one.\n\nThanks,\nJane",
    ),
    # ----------------------------------------------------------------- French
    (
        "fr_FR",
        "promise",
        True,
        None,
        "Bonjour,\n\nNous réglerons la somme de 1 250,75 € le 15 juillet 2025 par virement."
        "\n\nCordialement,\nMarie Dubois",
    ),
    (
        "fr_FR",
        "paid",
        False,
        None,
        "Bonjour,\n\nLa facture {a} a été réglée par virement le 18 juin. Vous trouverez le "
        "justificatif en pièce jointe.\n\nBien cordialement,\nMarie Dubois",
    ),
    (
        "fr_FR",
        "dispute",
        False,
        None,
        "Bonjour,\n\nNous contestons la facture {b} : la marchandise est arrivée endommagée et "
        "nous l'avons retournée. Merci de nous envoyer un avoir.\n\nCordialement,\nMarie",
    ),
    (
        "fr_FR",
        "auto_reply",
        False,
        {"X-Autoreply": "yes"},
        "Bonjour,\n\nNous avons bien reçu votre message et vous répondrons dans les meilleurs "
        "délais.\n\nLe service comptabilité",
    ),
    (
        "fr_FR",
        "auto_reply",
        True,
        None,
        "Bonjour,\n\nJe suis absente du bureau jusqu'au 30 juin inclus. Pour toute urgence, "
        "merci de contacter compta@boulangerie-martin.example.com.\n\nCordialement",
    ),
    (
        "fr_FR",
        "other",
        True,
        None,
        "Bonjour,\n\nPourriez-vous nous renvoyer la facture avec notre numéro de bon de "
        "commande ? Notre service comptable en a besoin pour la saisir.\n\nMerci d'avance",
    ),
    # ----------------------------------------------------------------- German
    (
        "de_DE",
        "promise",
        False,
        None,
        "Sehr geehrte Damen und Herren,\n\nwir werden den Betrag von 1.250,75 € bis zum "
        "15.07.2025 überweisen.\n\nMit freundlichen Grüßen\nHans Müller",
    ),
    (
        "de_DE",
        "paid",
        True,
        None,
        "Guten Tag,\n\ndie Rechnung {a} haben wir bereits am 18.06. überwiesen. Bitte prüfen "
        "Sie Ihren Zahlungseingang.\n\nMit freundlichen Grüßen\nHans Müller",
    ),
    (
        "de_DE",
        "dispute",
        False,
        None,
        "Guten Tag,\n\ndie Rechnung {b} ist nicht korrekt: Sie haben uns 12 Stunden berechnet, "
        "vereinbart waren 10. Bitte senden Sie uns eine korrigierte Rechnung.\n\n"
        "Freundliche Grüße\nHans Müller",
    ),
    (
        "de_DE",
        "auto_reply",
        True,
        {"Auto-Submitted": "auto-generated"},
        "Vielen Dank für Ihre E-Mail. Wir werden uns so schnell wie möglich bei Ihnen melden.",
    ),
    (
        "de_DE",
        "auto_reply",
        False,
        None,
        "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 30.06. nicht im Büro. "
        "In dringenden Fällen wenden Sie sich bitte an buchhaltung@mueller.example.com.",
    ),
    (
        "de_DE",
        "other",
        False,
        None,
        "Guten Tag,\n\nkönnen Sie uns bitte eine Kopie des Lieferscheins schicken? Unsere "
        "Buchhaltung braucht ihn für die Freigabe.\n\nFreundliche Grüße\nHans Müller",
    ),
    # ---------------------------------------------------------------- Spanish
    (
        "es_ES",
        "promise",
        True,
        None,
        "Buenos días:\n\nLes confirmo que pagaremos 1.250,75 € el 15 de julio de 2025 mediante "
        "transferencia.\n\nUn saludo,\nCarmen García",
    ),
    (
        "es_ES",
        "paid",
        False,
        None,
        "Hola,\n\nya hemos pagado la factura {a} por transferencia el pasado 18 de junio. "
        "Les adjunto el justificante.\n\nSaludos,\nCarmen",
    ),
    (
        "es_ES",
        "dispute",
        True,
        None,
        "Buenas tardes:\n\nLa factura {b} es incorrecta, nos han cobrado dos veces el mismo "
        "servicio. Por favor, envíennos una factura rectificativa.\n\nGracias,\nCarmen",
    ),
    (
        "es_ES",
        "auto_reply",
        False,
        {"Precedence": "auto_reply"},
        "Hemos recibido su correo y le responderemos lo antes posible.\n\n"
        "Departamento de Administración",
    ),
    (
        "es_ES",
        "auto_reply",
        False,
        None,
        "Gracias por su mensaje. Estaré fuera de la oficina hasta el 30 de junio con acceso "
        "limitado al correo. Para asuntos urgentes, escriba a contabilidad@garcia.example.com.",
    ),
    (
        "es_ES",
        "other",
        False,
        None,
        "Hola,\n\n¿podrían enviarnos el contrato firmado? No lo encontramos en nuestros "
        "archivos.\n\nGracias,\nCarmen",
    ),
    # ------------------------------------------------------------------ Dutch
    (
        "nl_NL",
        "promise",
        False,
        None,
        "Goedemorgen,\n\nWij zullen het bedrag van € 1.250,75 uiterlijk 15 juli 2025 "
        "overmaken.\n\nMet vriendelijke groet,\nPieter van Dijk",
    ),
    (
        "nl_NL",
        "paid",
        True,
        None,
        "Beste,\n\nFactuur {a} hebben wij op 18 juni al betaald. Kunt u dit nagaan?\n\n"
        "Met vriendelijke groet,\nPieter van Dijk",
    ),
    (
        "nl_NL",
        "dispute",
        False,
        None,
        "Goedemiddag,\n\nFactuur {b} klopt niet: de levering was onvolledig, er ontbreken twee "
        "dozen. Graag ontvangen wij een creditnota.\n\nMet vriendelijke groet,\nPieter",
    ),
    (
        "nl_NL",
        "auto_reply",
        False,
        {"X-Autorespond": "yes"},
        "Bedankt voor uw e-mail. Wij nemen zo spoedig mogelijk contact met u op.",
    ),
    (
        "nl_NL",
        "auto_reply",
        True,
        None,
        "Bedankt voor uw bericht. Ik ben met vakantie tot maandag 30 juni en lees mijn e-mail "
        "niet. Voor dringende zaken kunt u contact opnemen met boekhouding@vandijk.example.com.",
    ),
    (
        "nl_NL",
        "other",
        True,
        None,
        "Hallo,\n\nKunt u ons de factuur ook per post sturen? Onze administratie verwerkt "
        "alleen papieren facturen.\n\nGroet,\nPieter",
    ),
]

CUSTOMERS = {
    "en_US": ("Bluebird Supplies LLC", "jane@bluebird.example.com"),
    "fr_FR": ("Boulangerie Martin SARL", "marie@boulangerie-martin.example.com"),
    "de_DE": ("Müller Maschinenbau GmbH", "hans@mueller.example.com"),
    "es_ES": ("Distribuciones García S.L.", "carmen@garcia.example.com"),
    "nl_NL": ("Van Dijk Logistiek B.V.", "pieter@vandijk.example.com"),
}


@freeze_time("2025-06-20 09:00:00")
@tagged("post_install", "-at_install")
class TestDunningReplyMatrix(ReplyEmails, DunningCommon):
    """Every kind of reply in each of the five languages, as a real email through the mail
    gateway, read right and acted on: human answers pause the customer and give the
    collector what to do (a promise to confirm, payments to match, a dispute to open, an
    email to answer); automatic ones change nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="matrix_collector",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.policy.responsible_id = cls.collector
        cls.customers = {}
        for lang, (name, email) in CUSTOMERS.items():
            code = cls.env["res.lang"]._activate_lang(lang).code
            customer = cls._customer(name, email, lang=code)
            first = cls._invoice(customer, 2400.0, "2025-06-01")
            second = cls._invoice(customer, 300.0, "2025-06-05")
            cls.customers[lang] = (customer, first, second)

    def test_every_kind_of_reply_in_every_language(self):
        run = self._run("2025-06-20")
        reminders = {}
        for lang, (customer, first, second) in self.customers.items():
            reminder = run.communication_ids.filtered(lambda c, p=customer: c.partner_id == p)
            self.assertEqual(reminder.state, "queued", lang)
            self.assertEqual(reminder.line_ids.move_id, first | second, lang)
            reminders[lang] = reminder
            # Due a week before tomorrow: tomorrow's run would remind of it.
            self._invoice(customer, 150.0, "2025-06-14")
        counts = {}
        for lang, kind, html, headers, text in CASES:
            counts[lang, kind] = counts.get((lang, kind), 0) + 1
            case = f"{kind} {'by header' if headers else ''}".strip()
            with (
                self.subTest(lang=lang, kind=case, html=html),
                closing(self.env.cr.savepoint()),
            ):
                self._check_case(lang, kind, html, headers, text, reminders[lang])
            self.env.invalidate_all()
        self.assertEqual(len(CASES), 30)
        self.assertEqual({lang for lang, _kind in counts}, set(CUSTOMERS))

    # ---------------------------------------------------------------- one case

    def _check_case(self, lang, kind, html, headers, text, reminder):
        customer, first, second = self.customers[lang]
        new = text.format(a=first.name, b=second.name)
        quote_plain, quote_html = (q.replace("{inv}", first.name) for q in QUOTES[lang])
        html_body = None
        if html:
            paragraphs = "".join(f"<p>{p}</p>" for p in new.split("\n\n"))
            html_body = (
                f"<html><body><div dir='ltr'>{paragraphs.replace(chr(10), '<br>')}</div>"
                f"{quote_html}</body></html>"
            )
        payment = None
        if kind == "paid":
            payment = self._payment(customer, 2400.0)
        reply = self._receive(
            self._email(
                new + quote_plain,
                reminder=reminder,
                html=html_body,
                quoted=False,
                headers=headers,
                sender=f"{customer.name} <{customer.email}>",
            )
        )
        self.assertEqual(reply.communication_id, reminder)
        self.assertEqual(reply.partner_id, customer)
        self.assertEqual(reply.kind, kind, f"{reply.excerpt!r} matched {reply.matched!r}")
        self.assertNotIn(QUOTE_MARKS[lang], reply.excerpt, "the quoted reminder is left out")

        if kind == "auto_reply":
            self.assertEqual(reply.state, "done")
            self.assertFalse(reply.activity_ids)
            self.assertFalse(reply.paused_until)
            self.assertFalse(customer.dunning_pause_until)
            # The schedule is kept: the next level goes out on its day.
            later = self._customer_run("2025-06-26", customer)
            self.assertEqual((later.state, later.level_id), ("queued", self.level2))
            return

        # A person answered: the collector has a task and the customer's reminders pause.
        self.assertEqual(reply.state, "new")
        self.assertEqual(reply.activity_ids.user_id, self.collector)
        self.assertEqual(
            reply.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertEqual(customer.dunning_pause_until, date(2025, 6, 25))
        if kind == "promise":
            self.assertEqual((reply.promised_date, reply.promised_amount), PROMISED)
            reply.with_user(self.collector).action_confirm_promise()
            promise = reply.promise_id
            self.assertEqual((promise.date_promised, promise.amount), PROMISED)
            self.assertEqual(promise.partner_id, customer)
            self.assertEqual(promise.state, "open")
        elif kind == "paid":
            self.assertEqual(reply.invoice_ids, first)
            self.assertIn(payment.move_id, reply.payment_line_ids.move_id)
        elif kind == "dispute":
            self.assertEqual(reply.invoice_ids, second)
            action = reply.action_dispute()
            wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(wizard.move_ids[:], second, "only the invoice it names")
        else:
            self.assertFalse(reply.invoice_ids)
            self.assertEqual(reply.activity_ids.summary, "Answer the customer's email")
        paused = self._customer_run("2025-06-21", customer)
        self.assertEqual((paused.state, paused.skip_reason), ("skipped", "paused"))

    def _customer_run(self, day, customer):
        run = self._run(day)
        return run.communication_ids.filtered(lambda c: c.partner_id == customer)

    def _payment(self, customer, amount):
        """A real payment of the customer, posted and not yet matched to an invoice."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": customer.id,
                "amount": amount,
                "journal_id": self.company_data["default_journal_bank"].id,
                "date": "2025-06-18",
            }
        )
        payment.action_post()
        return payment
