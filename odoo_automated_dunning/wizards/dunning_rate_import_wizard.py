import base64
import binascii

from odoo import fields, models
from odoo.exceptions import UserError

from ..core import rate_files


class DunningRateImportWizard(models.TransientModel):
    """Reads a central bank's published rate series file into the reference rates."""

    _name = "dunning.rate.import.wizard"
    _description = "Import Reference Rates"

    file = fields.Binary(
        string="Rate File",
        required=True,
        help="The CSV download of the Bundesbank series BBK01.SU0115, the Bank of England "
        "series IUDBEDR or the ECB series FM.B.U2.EUR.4F.KR.MRR_FR.LEV.",
    )
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        name = self.filename or self.env._("The file")
        # Refused before decoding: an upload is bounded before it is read.
        if len(self.file or b"") > rate_files.MAX_BYTES * 4 // 3 + 4:
            raise UserError(
                self.env._(
                    "%(file)s is too large for a rate series: download the series from 2012 on.",
                    file=name,
                )
            )
        try:
            content = base64.b64decode(self.file or b"", validate=True)
            source, created, updated = self.env["dunning.reference.rate"]._import_file(content)
        except (binascii.Error, ValueError) as error:
            raise UserError(
                self.env._("%(file)s cannot be imported: %(error)s", file=name, error=str(error))
            ) from error
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "odoo_automated_dunning.dunning_reference_rate_action"
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Reference rates imported"),
                "message": self.env._(
                    "%(series)s: %(created)s new rate(s), %(updated)s corrected; the others "
                    "were already known.",
                    series=source,
                    created=created,
                    updated=updated,
                ),
                "type": "success",
                "next": action,
            },
        }
