import base64
import io
import logging
import shutil
import subprocess
import tempfile

import lxml.html
import qrcode

from odoo import api, models
from odoo.tools.image import image_data_uri
from odoo.tools.pdf import PdfFileReader, PdfFileWriter
from odoo.tools.safe_eval import (
    safe_eval,
    time as safe_time,
)

from odoo.addons.base.models.ir_actions_report import _wkhtml

_logger = logging.getLogger(__name__)

LETTER_REPORT = "odoo_automated_dunning.dunning_letter_report"
# Our PDF reports run no script (no chart, no widget): wkhtmltopdf need not wait after the
# page has loaded (its stylesheets and images included) for one to finish.
SCRIPTLESS_REPORTS = (
    "odoo_automated_dunning.report_dunning_letter",
    "odoo_automated_dunning.report_dunning_statement",
)


class IrActionsReport(models.Model):
    """Rendering a batch of dunning letters, beside the letter report's action."""

    _inherit = "ir.actions.report"

    @api.model
    def _run_wkhtmltopdf(self, bodies, report_ref=False, **kwargs):
        """Odoo makes wkhtmltopdf wait ``report.print_delay`` (1 s by default) after the page
        has loaded, for the scripts of some reports; ours have none, and that wait was most of
        a letter batch's time (pages compared pixel for pixel with and without it: the same).
        ``odoo_automated_dunning.report_print_delay`` (milliseconds, 0 by default) sets it for
        ours, for a template customised with a script."""
        if not (report_ref and self._get_report(report_ref).report_name in SCRIPTLESS_REPORTS):
            return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, **kwargs)
        delay = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("odoo_automated_dunning.report_print_delay", "0")
        )
        report = self.with_context(dunning_print_delay=delay)
        return super(IrActionsReport, report)._run_wkhtmltopdf(
            bodies, report_ref=report_ref, **kwargs
        )

    def _build_wkhtmltopdf_args(self, *args, **kwargs):
        command_args = super()._build_wkhtmltopdf_args(*args, **kwargs)
        delay = self.env.context.get("dunning_print_delay")
        if delay is not None and "--javascript-delay" in command_args:
            command_args[command_args.index("--javascript-delay") + 1] = str(delay)
        return command_args

    @api.model
    def _dunning_render_letters(self, communications):
        """Render the letters of a batch, each kept as its reminder's attachment (the
        report's ``attachment``); {communication id: error} for those that failed."""
        report = self.env.ref(LETTER_REPORT)
        errors = {}
        # Odoo renders a batch as several documents, which only wkhtmltopdf with patched Qt
        # accepts (without it, Odoo renders the whole batch, then refuses it); else one
        # document for the whole batch, cut into letters; failing that, each letter on its
        # own rather than fail them all.
        if len(communications) < 2 or _wkhtml().is_patched_qt:
            try:
                with self.env.cr.savepoint():
                    self._render_qweb_pdf(report, communications.ids)
                return errors
            except Exception:  # noqa: BLE001 - rendered below, together or one by one
                _logger.info("Rendering %s letter(s) as a batch failed", len(communications))
        if self._dunning_render_letters_together(report, communications):
            return errors
        _logger.info("Rendering %s letter(s) one by one", len(communications))
        for communication in communications:
            try:
                with self.env.cr.savepoint():
                    self._render_qweb_pdf(report, communication.ids)
            except Exception as error:  # noqa: BLE001 - recorded, retried by the next run
                errors[communication.id] = str(error)
        return errors

    @api.model
    def _dunning_render_letters_together(self, report, communications):
        """One wkhtmltopdf call for the batch as one document, cut into one PDF per letter
        where each letter begins (by the PDF's outline, else by each letter's reference in
        the pages' text); False when it cannot be cut safely."""
        if len(communications) < 2:
            return False
        Report = self.with_context(debug=False)
        try:
            with self.env.cr.savepoint():
                html = Report._render_qweb_html(
                    report, communications.ids, data={"report_type": "pdf", "debug": False}
                )[0]
                bodies, html_ids, header, footer, paper = report.with_context(
                    debug=False
                )._prepare_html(html, report_model=report.model)
                if html_ids != communications.ids:
                    return False
                document = lxml.html.fromstring(bodies[0])
                target = document.xpath("//body")[0]
                for body in bodies[1:]:
                    for node in lxml.html.fromstring(body).xpath("//body")[0]:
                        node.set("style", f"page-break-before: always; {node.get('style', '')}")
                        target.append(node)
                pdf = Report._run_wkhtmltopdf(
                    [lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")],
                    report_ref=report,
                    header=header,
                    footer=footer,
                    specific_paperformat_args=paper,
                )
                reader = PdfFileReader(io.BytesIO(pdf))
                page_count = len(reader.pages)
                starts = self._dunning_outline_starts(reader, len(communications))
                if starts is None:
                    starts = self._dunning_reference_starts(reader, pdf, communications)
                if starts is None:
                    return False
                vals_list = []
                for index, communication in enumerate(communications):
                    end = starts[index + 1] if index + 1 < len(starts) else page_count
                    writer = PdfFileWriter()
                    for number in range(starts[index], end):
                        writer.add_page(reader.pages[number])
                    stream = io.BytesIO()
                    writer.write(stream)
                    vals_list.append(
                        {
                            "name": safe_eval(
                                report.attachment, {"object": communication, "time": safe_time}
                            ),
                            "raw": stream.getvalue(),
                            "res_model": communications._name,
                            "res_id": communication.id,
                            "type": "binary",
                        }
                    )
                self.env["ir.attachment"].create(vals_list)
        except Exception:  # noqa: BLE001 - the caller renders the letters one by one
            _logger.info(
                "Rendering %s letter(s) as one document failed", len(communications), exc_info=True
            )
            return False
        return True

    @api.model
    def _dunning_outline_starts(self, reader, count):
        """The first page of each letter, from the PDF's outline: wkhtmltopdf lists each
        heading there, and a letter has one, its title, on its first page (Odoo splits its
        own batches by the outline the same way). None unless there is one entry per
        letter, the first on the first page, each on a later page than the one before."""
        try:
            root = reader.trailer["/Root"]
            node = root["/Outlines"]["/First"]
            starts = []
            while True:
                page = root["/Dests"][node["/Dest"]][0]
                if not isinstance(page, int):
                    return None
                starts.append(page)
                if "/Next" not in node:
                    break
                node = node["/Next"]
        except (KeyError, TypeError, ValueError):
            return None
        if len(starts) != count or starts[0] != 0:
            return None
        if any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
            return None
        return starts

    @api.model
    def _dunning_page_texts(self, reader, pdf):
        """Each page's text without whitespace: by poppler's pdftotext where it is installed
        (one call for the document, a hundred times faster than reading the pages in
        Python), else by pypdf."""
        if shutil.which("pdftotext"):
            with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
                source.write(pdf)
                source.flush()
                done = subprocess.run(  # noqa: S603 - a fixed program on our own file
                    ["pdftotext", "-q", "-enc", "UTF-8", source.name, "-"],  # noqa: S607
                    capture_output=True,
                    timeout=300,
                    check=False,
                )
            pages = done.stdout.decode("utf-8", "replace").split("\f")
            # pdftotext ends each page with a form feed: one piece more than pages.
            if done.returncode == 0 and len(pages) == len(reader.pages) + 1:
                return ["".join(page.split()) for page in pages[:-1]]
        return ["".join((page.extract_text() or "").split()) for page in reader.pages]

    @api.model
    def _dunning_reference_starts(self, reader, pdf, communications):
        """The first page of each letter, where its reference first appears in the pages'
        text (slower: every page's text is read); None if one is not found."""
        texts = self._dunning_page_texts(reader, pdf)
        starts, page = [], 0
        for communication in communications:
            mark = communication._letter_reference()
            while page < len(texts) and mark not in texts[page]:
                page += 1
            if page == len(texts):
                return None
            starts.append(page)
        return starts if starts[0] == 0 else None


class ReportDunningLetter(models.AbstractModel):
    """The letter's payment block: the bank account, the reference, a short pay link and a
    QR code (the EPC credit transfer for EUR to a SEPA IBAN, else one of the pay link)."""

    _name = "report.odoo_automated_dunning.report_dunning_letter"
    _description = "Dunning Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["dunning.communication"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "dunning.communication",
            "docs": docs,
            "payments": {doc.id: self._payment(doc) for doc in docs},
        }

    @api.model
    def _bank(self, company, currency):
        """The company's account for this currency, else one without currency, else any."""
        banks = company.partner_id.bank_ids
        return (
            banks.filtered(lambda b: b.currency_id == currency)[:1]
            or banks.filtered(lambda b: not b.currency_id)[:1]
            or banks[:1]
        )

    @api.model
    def _payment(self, communication):
        """{bank, amount, currency, short_url, epc (payload or False), qr (image)}."""
        lines = communication.line_ids
        currencies = lines.currency_id | communication.billed_charge_ids.currency_id
        currency = currencies if len(currencies) == 1 else self.env["res.currency"]
        moves = lines.move_id
        amount = (
            currency.round(
                sum(lines.mapped("amount_residual"))
                + sum(communication.billed_charge_ids.mapped("amount"))
            )
            if currency
            else 0.0
        )
        bank = self._bank(
            communication.company_id, currency or communication.company_id.currency_id
        )
        short_url = self.env["dunning.short.link"]._url(communication)
        values = {
            "bank": bank,
            "amount": amount,
            "currency": currency,
            "short_url": short_url,
            "epc": False,
            "qr": False,
        }
        qr_vals = self._epc_vals(communication, bank, currency, amount, moves)
        if qr_vals:
            values["epc"] = "\n".join(bank._get_qr_vals(**qr_vals))
            values["qr"] = self._qr_image(values["epc"])
        else:
            values["qr"] = self._qr_image(short_url)
        return values

    @api.model
    def _qr_image(self, payload):
        """The QR code as a PNG data URI, with the qrcode library Odoo requires (auth_totp):
        Odoo's report barcodes need reportlab's renderPM backend, a separate package that
        pip installs of reportlab 4 lack. Medium error correction and UTF-8 bytes, as the
        EPC code asks (character set 1)."""
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
        code.add_data(payload.encode("utf-8"))
        code.make(fit=True)
        stream = io.BytesIO()
        code.make_image().save(stream, format="PNG")
        return image_data_uri(base64.b64encode(stream.getvalue()))

    @api.model
    def _epc_vals(self, communication, bank, currency, amount, moves):
        """Odoo's SEPA credit-transfer QR values (account_qr_code_sepa) when this letter can
        be paid by one: one EUR amount to a SEPA IBAN; else None."""
        if not (bank and currency and amount > 0):
            return None
        # One invoice: its own reference, structured (RF...) where it is one; several: listed.
        structured = moves.payment_reference if len(moves) == 1 else ""
        free = ", ".join(moves.mapped(lambda m: m.payment_reference or m.name))
        return bank._build_qr_code_vals(
            amount,
            free,
            structured or "",
            currency,
            communication.partner_id,
            qr_method="sct_qr",
        )
