from odoo import fields, models

from ..models.dunning_communication import SKIP_REASONS


class DunningRunPreview(models.TransientModel):
    _name = "dunning.run.preview"
    _description = "Dunning Run Preview"

    run_id = fields.Many2one("dunning.run", required=True, ondelete="cascade")
    line_ids = fields.One2many("dunning.run.preview.line", "preview_id", string="Decisions")
    send_count = fields.Integer(compute="_compute_counts")
    skip_count = fields.Integer(compute="_compute_counts")

    def _compute_counts(self):
        for preview in self:
            preview.send_count = len(preview.line_ids.filtered(lambda line: line.action == "send"))
            preview.skip_count = len(preview.line_ids) - preview.send_count

    def _lines_from_plan(self, plan, recipients):
        """Preview line values for each customer the plan would write to or skip."""
        return [
            {
                "partner_id": decision.customer.id,
                "recipient_id": recipients[decision.customer.id].id,
                "action": decision.action,
                "skip_reason": decision.skip_reason,
                "level_id": decision.level.id if decision.level else False,
                "invoice_ids": [fields.Command.set([line.invoice.id for line in decision.lines])],
                "escalated_count": len(decision.escalated_lines),
                "amount_company": sum(line.invoice.residual_company for line in decision.lines),
            }
            for decision in plan.decisions
        ]

    def action_run(self):
        self.ensure_one()
        return self.run_id.action_run()


class DunningRunPreviewLine(models.TransientModel):
    _name = "dunning.run.preview.line"
    _description = "Dunning Run Preview Line"

    preview_id = fields.Many2one("dunning.run.preview", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    recipient_id = fields.Many2one("res.partner", readonly=True)
    action = fields.Selection([("send", "Send"), ("skip", "Skip")], readonly=True)
    skip_reason = fields.Selection(SKIP_REASONS, readonly=True)
    level_id = fields.Many2one("dunning.level", readonly=True)
    invoice_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    escalated_count = fields.Integer(string="Invoices Escalated", readonly=True)
    company_currency_id = fields.Many2one(related="preview_id.run_id.company_id.currency_id")
    amount_company = fields.Monetary(
        string="Overdue (company currency)", currency_field="company_currency_id", readonly=True
    )
