"""Reminders written from a run's plan: one row per customer and channel, in bulk."""

from odoo import api, models

from .dunning_bulk import insert_rows
from .dunning_communication import decision_of


class DunningCommunication(models.Model):
    _inherit = "dunning.communication"

    @api.model
    def _create_from_plan(self, run, plan, recipients):
        """The run's decisions as reminders: one per channel a customer is sent on, one
        skipped reminder per customer held back, each with its invoice lines."""
        vals_list = []
        for decision in plan.decisions:
            if decision.action == "send":
                vals_list += [
                    self._vals_from_decision(run, decision, recipients, channel, primary=not rank)
                    for rank, channel in enumerate(decision.channels)
                ]
            else:
                channels = decision.level.channels if decision.level else (("email", False),)
                vals_list.append(
                    self._vals_from_decision(run, decision, recipients, channels[0][0])
                )
        self._draw_variants(vals_list)
        # Reminders, then their lines, each in one INSERT per batch of customers, with the
        # ORM's invariants kept by the ORM itself (dunning_bulk.py): two thirds of a large
        # run's time went to create's per-value work otherwise.
        lines_of = [vals.pop("line_ids") for vals in vals_list]
        communications = insert_rows(self, vals_list)
        insert_rows(
            self.env["dunning.communication.line"],
            [
                {**line, "communication_id": communication.id}
                for communication, lines in zip(communications, lines_of, strict=True)
                for line in lines
            ],
        )
        return communications

    @api.model
    def _draw_variants(self, vals_list):
        """Emails of a level with a template experiment: each draws its variant (seeded by
        customer, level and date, see core/stats.py) and is sent with its template."""
        emails = [
            vals
            for vals in vals_list
            if vals["channel"] == "email" and vals["state"] == "draft" and vals["level_id"]
        ]
        drawn = self.env["dunning.level.variant"]._draw(
            [(vals["partner_id"], vals["level_id"], vals["date"]) for vals in emails]
        )
        for vals in emails:
            variant = drawn.get((vals["partner_id"], vals["level_id"], vals["date"]))
            if variant:
                vals["variant_id"] = variant.id
                vals["mail_template_id"] = variant.mail_template_id.id

    @api.model
    def _vals_from_decision(self, run, decision, recipients, channel, primary=True):
        lines = decision.lines
        currencies = {line.invoice.currency_id for line in lines}
        if len(currencies) == 1:
            currency_id = currencies.pop()
            total = sum(line.invoice.residual for line in lines)
        else:  # several currencies: the total is given in company currency
            currency_id = run.company_id.currency_id.id
            total = sum(line.invoice.residual_company for line in lines)
        state = "draft" if decision.action == "send" else "skipped"
        return {
            "run_id": run.id,
            "company_id": run.company_id.id,
            "date": run.date,
            "partner_id": decision.customer.id,
            "recipient_id": recipients[decision.customer.id].id,
            "policy_id": decision.policy_id,
            "level_id": decision.level.id if decision.level else False,
            "tone": decision.level.tone if decision.level else False,
            "channel": channel,
            "primary": primary,
            "state": state,
            "skip_reason": decision.skip_reason,
            # Stored computed, precomputed: given here as its compute gives it.
            "decision": decision_of(state, decision.skip_reason, False, False),
            "decision_note": "; ".join(decision.customer.held_notes) or False,
            "currency_id": currency_id,
            "amount_total": total,
            "amount_company": sum(line.invoice.residual_company for line in lines),
            # Created apart, in one batch: see _create_from_plan.
            "line_ids": [
                {
                    "move_id": line.invoice.id,
                    "level_id": line.level.id if line.level else False,
                    "previous_level_id": line.previous_level.id if line.previous_level else False,
                    "previous_date": line.invoice.last_date or False,
                    "escalated": line.escalated,
                    "date_due": line.invoice.due_date,
                    "days_overdue": line.days_overdue,
                    # Not written (the invoice's): what the amount is rounded in.
                    "currency_id": line.invoice.currency_id,
                    "amount_residual": line.invoice.residual,
                }
                for line in lines
            ],
        }
