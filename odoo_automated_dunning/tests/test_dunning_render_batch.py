import io
from unittest.mock import patch

from lxml import etree

from odoo.tests import freeze_time, tagged
from odoo.tools.mail import html_sanitize
from odoo.tools.pdf import PdfReader

from odoo.addons.base.models import ir_actions_report
from odoo.addons.base.models.ir_qweb import IrQweb
from odoo.addons.odoo_automated_dunning.models import dunning_mail_body, dunning_mail_layout

from .common import DunningCommon


def _prepared_run(env, customers):
    """A Prepare Only run of 20 June 2025 for ``customers``, done: its reminders are drafts."""
    run = env["dunning.run"].create(
        {
            "date": "2025-06-20",
            "company_id": env.company.id,
            "prepare_only": True,
            "partner_ids": [(6, 0, customers.ids)],
        }
    )
    run.action_run()
    return run


EDITED_BODY = (
    '<div style="font-size: 13px;">'
    '<p>Hello <t t-out="object.partner_id.name"/>, edited by our credit team.</p>'
    '<p>Your balance: <t t-out="object.total_display"/>.</p>'
    '<t t-call="odoo_automated_dunning.dunning_mail_invoice_table"/>'
    '<p t-if="len(object.line_ids) &gt; 1">Several invoices are late.</p>'
    "</div>"
)
FRENCH_TERMS = {
    "edited by our credit team.": "modifié par notre service recouvrement.",
    "Hello": "Bonjour",
    "Your balance:": "Votre solde :",
    "Several invoices are late.": "Plusieurs factures sont en retard.",
}
LETTER_MODULE = "odoo.addons.odoo_automated_dunning.report.dunning_letter_report"
LETTER_REPORT = "odoo_automated_dunning.dunning_letter_report"
FIELDS = ["subject", "body_html", "email_from", "reply_to"]


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningRenderBatch(DunningCommon):
    """A batch of reminders compiles its template's body once per language, and every
    reminder reads exactly as Odoo renders it alone: the user's edits and translations
    included, the customer's own text escaped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # Reminders are rendered with the addon's rights (system records), as the run does.
        cls.template = cls.templates["friendly"].sudo()
        # A template editor edits the template in English, then translates it into French.
        cls.template.write({"body_html": EDITED_BODY})
        # The whole body is the template's translated value (Odoo's mail templates
        # translate the field as one text).
        french = cls.template.body_html
        for english, translated in FRENCH_TERMS.items():
            french = french.replace(english, translated)
        cls.template.update_field_translations("body_html", {"fr_FR": french})
        cls.customers = cls.env["res.partner"]
        for index, (name, lang) in enumerate(
            [
                ("Acme <b>Bold</b> & Sons", "en_US"),
                ("Atelier <script>alert(1)</script>", "fr_FR"),
                ("Globex", "en_US"),
                ("Boulangerie Dupont", "fr_FR"),
            ]
        ):
            customer = cls._customer(name, f"ap{index}@customer.example.com", lang=lang)
            cls._invoice(customer, 100.0 + index, "2025-06-01")
            if index % 2:
                cls._invoice(customer, 2000.5, "2025-06-05")
            cls.customers |= customer

    def _prepared(self):
        run = _prepared_run(self.env, self.customers)
        communications = run.communication_ids.sudo().filtered(lambda c: c.state == "draft")
        self.assertEqual(len(communications), 4)
        return communications

    def test_batch_render_is_byte_identical_to_odoo_per_record(self):
        communications = self._prepared()
        sender = self.env["dunning.send.email"]
        with patch.object(
            IrQweb,
            "_generate_code_uncached",
            autospec=True,
            side_effect=IrQweb._generate_code_uncached,
        ) as compiled:
            batch = sender._render_email(communications, self.template)
        # The body (an element parsed from the template's text) is compiled once per
        # language, where Odoo alone compiles it once per reminder.
        bodies_compiled = [
            call for call in compiled.call_args_list if isinstance(call.args[1], etree._Element)
        ]
        self.assertEqual(len(bodies_compiled), 2, "English and French")
        for communication in communications:
            alone = self.template._generate_template(communication.ids, FIELDS)[communication.id]
            self.assertEqual(batch[communication.id], alone, communication.partner_id.name)
        by_lang = {c.partner_id.lang: batch[c.id]["body_html"] for c in communications}
        self.assertIn("modifié par notre service recouvrement.", by_lang["fr_FR"])
        self.assertIn("edited by our credit team.", by_lang["en_US"])
        bodies = "".join(values["body_html"] for values in batch.values())
        self.assertNotIn("<script>", bodies)
        self.assertIn("&lt;script&gt;", bodies)
        self.assertIn("Acme &lt;b&gt;Bold&lt;/b&gt; &amp; Sons", bodies)

    def test_queued_mails_carry_the_edited_and_translated_text(self):
        communications = self._prepared()
        communications.run_id.action_send_prepared()
        for customer in self.customers:
            mail = self._mails_to(customer)
            self.assertEqual(len(mail), 1)
            communication = communications.filtered(
                lambda c, customer=customer: c.partner_id == customer
            )
            alone = self.template._generate_template(communication.ids, FIELDS)[communication.id]
            # Odoo's own wrapping of this reminder alone (ours fills a frame rendered once
            # per company and language).
            lang = customer.lang
            wrapped = self.template.with_context(lang=lang)._render_encapsulate(
                dunning_mail_layout.DEFAULT_LAYOUT,
                alone["body_html"],
                add_context={"company": self.env.company, "record_name": alone["subject"]},
                context_record=communication.with_context(lang=lang),
            )
            self.assertEqual(mail.body_html, wrapped)
            self.assertEqual(mail.subject, alone["subject"])
            # The chatter copy is the body without the layout as Odoo stores a message body
            # (sanitised), though ours was sanitised once per shape of body.
            stored = self.env["mail.message"].create(
                {"body": alone["body_html"], "model": "res.partner", "res_id": customer.id}
            )
            self.assertEqual(mail.mail_message_id.body, stored.body)
            if customer.lang == "fr_FR":
                self.assertIn("Votre solde :", mail.body_html)
                self.assertNotIn("Your balance:", mail.body_html)
            else:
                self.assertIn("Your balance:", mail.body_html)

    def test_layout_frame_is_used_and_gives_odoo_output(self):
        communications = self._prepared()
        rendered = self.env["dunning.send.email"]._render_email(communications, self.template)
        layout = self.env["dunning.mail.layout"]
        for communication in communications:
            lang = communication.partner_id.lang
            frame = layout._frame(
                self.template,
                dunning_mail_layout.DEFAULT_LAYOUT,
                communication,
                lang,
                rendered[communication.id],
            )
            self.assertTrue(frame, "our layout is rendered once per company and language")


@tagged("post_install", "-at_install")
class TestDunningChatterSanitize(DunningCommon):
    """The chatter copies sanitised once per shape are what Odoo's sanitiser gives for each."""

    def test_bodies_sanitised_by_shape_as_odoo_sanitises_each(self):
        field = self.env["mail.message"]._fields["body"]
        rows = [
            (
                "Acme &lt;b&gt;Bold&lt;/b&gt; &amp; Sons",
                "https://x.example/my/invoices/1?a=1&amp;b=2",
            ),
            ("Atelier &lt;script&gt;alert(1)&lt;/script&gt;", "http://x.example/p/2"),
            ("Zoë &amp; Ça&nbsp;va", "https://x.example/p/3"),
            ("Quote\n&gt; quoted line", "https://x.example/p/4"),
            ("Signature\n--\nName", "javascript:alert(1)"),
            ("   ", "https://x.example/p/'quote"),
            ("\u00a31\u00a0817,00 &#39;single&#39; &#34;double&#34;", "https://x.example/p/5"),
            ("Globex", "https://x.example/my/invoices/7?access_token=a-1&amp;pay=1"),
            ("Boulangerie Dupont", "http://x.example/p/8"),
        ]
        bodies = [
            '<div style="margin: 0; padding: 0; font-size: 13px;" onclick="evil()">'
            f'<p>Dear {name},</p><table><tr><td style="padding: 6px; color: red;">{name}</td>'
            f'<td><a href="{url}" style="x: y;">Pay</a></td></tr></table></div>'
            for name, url in rows
        ]
        # Kept whole: a comment, a script (removed by the sanitiser).
        bodies += ["<p>A comment <!-- x --> stays</p>", "<div><script>alert(2)</script>x</div>"]
        options = dunning_mail_body.sanitize_options(field)
        expected = [str(html_sanitize(body, **options)) for body in bodies]
        clean = dunning_mail_body.sanitize_bodies(bodies, field)
        self.assertEqual([str(body) for body in clean], expected)
        self.assertNotIn("<script>", "".join(expected))
        self.assertNotIn("onclick", "".join(expected))
        self.assertNotIn("javascript:", "".join(expected))
        # Bodies differing only in plain values (no markup characters, quotes or signatures
        # in their texts) share one shape: sanitised once, and its first body once alone to
        # check it.
        plain = [2, 6, 7, 8, 2]
        with patch.object(
            dunning_mail_body, "html_sanitize", side_effect=html_sanitize
        ) as sanitizer:
            clean = dunning_mail_body.sanitize_bodies([bodies[i] for i in plain], field)
        self.assertEqual([str(body) for body in clean], [expected[i] for i in plain])
        self.assertEqual(sanitizer.call_count, 2)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningLetterBatch(DunningCommon):
    """A batch of letters is one wkhtmltopdf call cut into letters; cutting by poppler's
    pdftotext gives the same letters, page for page, as reading each page in Python."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.level1.write({"channel_ids": [(5, 0, 0), (0, 0, {"channel": "letter"})]})
        cls.customers = cls.env["res.partner"]
        for index, count in enumerate((1, 45, 2)):  # the second letter runs over pages
            customer = cls._customer(
                f"Paper Customer {index}",
                False,
                street=f"Rue de la Loi {index + 1}",
                zip="1000",
                city="Bruxelles",
                country_id=cls.env.ref("base.be").id,
            )
            for number in range(count):
                cls._invoice(customer, 10.0 + number, "2025-06-01")
            cls.customers |= customer

    def _letters(self, communications):
        """{reminder: (pages, text of each page)} of the letters just cut."""
        # Letters are rendered with the addon's rights (system records), as the run does.
        Report = self.env["ir.actions.report"].sudo().with_context(force_report_rendering=True)
        report = self.env.ref("odoo_automated_dunning.dunning_letter_report")
        with self.allow_pdf_render():
            self.assertTrue(Report._dunning_render_letters_together(report, communications))
        letters = {}
        for communication in communications:
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .search(
                    [("res_model", "=", communication._name), ("res_id", "=", communication.id)],
                    order="id desc",
                    limit=1,
                )
            )
            reader = PdfReader(io.BytesIO(attachment.raw))
            letters[communication] = [page.extract_text() for page in reader.pages]
            attachment.unlink()
        return letters

    def test_pdftotext_and_python_cut_the_same_letters(self):
        run = _prepared_run(self.env, self.customers)
        communications = run.communication_ids.sudo().sorted("id")
        self.assertEqual(len(communications), 3)
        by_poppler = self._letters(communications)
        with patch(f"{LETTER_MODULE}.shutil.which", return_value=None):
            by_python = self._letters(communications)
        self.assertGreater(len(by_poppler[communications[1]]), 1, "a letter over pages")
        for communication in communications:
            pages = by_poppler[communication]
            self.assertEqual(pages, by_python[communication])
            text = " ".join(pages)
            for other in communications:
                reference = other._letter_reference()
                if other == communication:
                    self.assertIn(reference, text)
                else:
                    self.assertNotIn(reference, text)

    def test_letters_do_not_wait_for_scripts(self):
        """Odoo makes wkhtmltopdf wait report.print_delay after loading a page, for the
        scripts of some reports; our letter has none and does not wait, unless configured."""
        wkhtml = "odoo.addons.base.models.ir_actions_report._run_wkhtmltopdf"
        calls = []

        def spy(args, run=ir_actions_report._run_wkhtmltopdf):
            calls.append(args[args.index("--javascript-delay") + 1])
            return run(args)

        params = self.env["ir.config_parameter"].sudo()
        params.set_param("report.print_delay", "20")
        communications = _prepared_run(self.env, self.customers).communication_ids.sudo()
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        html = "<html><body><p>Printed</p></body></html>"
        with self.allow_pdf_render(), patch(wkhtml, spy):
            letters = self._letters(communications)
            Report._run_wkhtmltopdf([html], report_ref="account.account_invoices")
            params.set_param("odoo_automated_dunning.report_print_delay", "30")
            Report._run_wkhtmltopdf([html], report_ref=LETTER_REPORT)
        self.assertEqual(calls, ["0", "20", "30"], "letters 0 ms, Odoo's invoice its own")
        self.assertTrue(all(letters.values()), "every letter has its pages")
