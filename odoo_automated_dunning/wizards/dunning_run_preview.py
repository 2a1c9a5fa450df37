from odoo import api, fields, models
from odoo.tools import formatLang

from ..models.dunning_communication import SKIP_REASONS

# Customers decided per page of the preview: a page answers in a fraction of a second however
# large the book, where deciding all of it took seconds (bench/README.md, "Screens").
# Settable with the system parameter odoo_automated_dunning.preview_page_size.
PAGE_SIZE = 80


class DunningRunPreview(models.TransientModel):
    """What the run would do, a page of customers at a time.

    The page's customers are decided by the run's own code (``dunning.run._iter_plans``), so
    each line is what the run would record for that customer: a customer's decision depends
    on its own invoices and history only, never on the other customers of its batch.
    """

    _name = "dunning.run.preview"
    _description = "Dunning Run Preview"

    run_id = fields.Many2one("dunning.run", required=True, ondelete="cascade")
    line_ids = fields.One2many("dunning.run.preview.line", "preview_id", string="Decisions")
    # The page: customers page_start + 1 to page_end of customer_total, in name order.
    page_start = fields.Integer(readonly=True)
    page_end = fields.Integer(readonly=True)
    customer_total = fields.Integer(string="Customers to Evaluate", readonly=True)
    quiet_count = fields.Integer(
        string="Nothing Due Today",
        readonly=True,
        help="Customers of this page with nothing due today: no line.",
    )
    send_count = fields.Integer(compute="_compute_counts")
    skip_count = fields.Integer(compute="_compute_counts")
    page_note = fields.Char(string="Page Summary", compute="_compute_page_note")
    # The run's customers' ids in page order, comma-separated, read once when the preview opens
    # (text: a JSON field would copy 20,000 ids at each read).
    partner_order = fields.Text(string="Customers in Page Order", readonly=True)

    def _compute_counts(self):
        for preview in self:
            preview.send_count = len(preview.line_ids.filtered(lambda line: line.action == "send"))
            preview.skip_count = len(preview.line_ids) - preview.send_count

    @api.depends("page_start", "page_end", "customer_total", "quiet_count", "line_ids.action")
    @api.depends_context("lang")
    def _compute_page_note(self):
        for preview in self:
            if not preview.customer_total:
                preview.page_note = self.env._("No customer has an overdue invoice.")
                continue
            preview.page_note = self.env._(
                "Customers %(first)s to %(last)s of %(total)s, by name: %(send)s reminder(s) to "
                "send, %(skip)s skipped, %(quiet)s with nothing due today.",
                first=formatLang(self.env, preview.page_start + 1, digits=0),
                last=formatLang(self.env, preview.page_end, digits=0),
                total=formatLang(self.env, preview.customer_total, digits=0),
                send=preview.send_count,
                skip=preview.skip_count,
                quiet=preview.quiet_count,
            )

    # ------------------------------------------------------------------ actions

    def action_next_page(self):
        self.ensure_one()
        return self._show_page(self.page_end)

    def action_previous_page(self):
        self.ensure_one()
        return self._show_page(self.page_start - self._page_size())

    def action_run(self):
        self.ensure_one()
        return self.run_id.action_run()

    # ------------------------------------------------------------------- paging

    def _page_size(self):
        return max(1, self.run_id._param("preview_page_size", PAGE_SIZE))

    def _ordered_partner_ids(self):
        """The run's customers in name order, as when the preview opened: the pages stay put
        while the accountant reads them (each page is still decided when it is shown).

        The run's own candidates (one query over the open overdue items), archived customers
        included as the run includes them.
        """
        if not self.partner_order:
            candidates = self.run_id._candidate_partner_ids()
            # Only puts the run's own customers in order: sudo so a rule on partners cannot
            # make the pages disagree with the count.
            ordered = (
                self.env["res.partner"]
                .sudo()
                .with_context(active_test=False)
                .search([("id", "in", candidates)], order="name, id")
                .ids
            )
            # "-" when there are none: read again, it would be empty again.
            self.partner_order = ",".join(map(str, ordered)) or "-"
        return [int(pid) for pid in self.partner_order.split(",") if pid != "-"]

    def _show_page(self, start):
        """Decide the customers of the page from ``start`` and show them."""
        self.ensure_one()
        ordered = self._ordered_partner_ids()
        start = max(0, min(start, len(ordered) - 1))
        partner_ids = ordered[start : start + self._page_size()]
        lines, decided = [], 0
        for plan, recipients in self.run_id._iter_plans(partner_ids):
            lines += self._lines_from_plan(plan, recipients)
            decided += len(plan.decisions)
        order = {partner_id: index for index, partner_id in enumerate(partner_ids)}
        lines.sort(key=lambda vals: order[vals["partner_id"]])
        # The page's lines are replaced: they are the wizard's own (users may not delete lines).
        self.line_ids.sudo().unlink()
        self.write(
            {
                "page_start": start,
                "page_end": start + len(partner_ids),
                "customer_total": len(ordered),
                "quiet_count": len(partner_ids) - decided,
                "line_ids": [fields.Command.create(vals) for vals in lines],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview of %(run)s", run=self.run_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

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
