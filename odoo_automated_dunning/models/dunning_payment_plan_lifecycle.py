"""The payment plan's life after it is made: its state changes, each written to the chatter,
and the daily cron that completes paid plans, defaults late ones and sends the installments'
reminders. The record itself (fields, computes, constraints, actions) is in
dunning_payment_plan.py."""

from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError

from .. import core


class DunningPaymentPlan(models.Model):
    _inherit = "dunning.payment.plan"

    # State machine ------------------------------------------------------------------------

    def _require_state(self, *states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Plan %(plan)s is %(state)s; this needs it %(wanted)s.",
                    plan=self.name,
                    state=labels[self.state],
                    wanted=" / ".join(labels[s] for s in states),
                )
            )

    def _change_state(self, state, note):
        """Every state change is written to the plan's chatter with its reason."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        for plan in self:
            before = plan.state
            plan.state = state
            plan.message_post(
                body=Markup("%s &rarr; %s: %s") % (labels[before], labels[state], note),
                subtype_xmlid="mail.mt_note",
            )

    # Daily cron ---------------------------------------------------------------------------

    def _core_installments(self):
        self.ensure_one()
        return [
            core.Installment(i.due_date, i.amount, i.amount_paid, i.down_payment)
            for i in self.installment_ids.sorted(lambda i: (i.due_date, i.sequence))
        ]

    def _cron_check_plans(self):
        """Complete paid plans, default late ones, then send the installments' reminders."""
        plans = self.search([("state", "=", "active")])
        for company, company_plans in plans.grouped("company_id").items():
            today = company._dunning_today()
            company_plans._check_progress(today)
            company_plans.filtered(lambda p: p.state == "active")._send_reminders(today)
        return True

    def _check_progress(self, today):
        for plan in self:
            state = core.plan_state(
                plan._core_installments(), today, plan.grace_days, plan.currency_id.decimal_places
            )
            if state == core.plans.COMPLETED:
                plan._change_state("completed", self.env._("Fully paid."))
            elif state == core.plans.DEFAULTED:
                plan.defaulted_on = today
                plan._change_state(
                    "defaulted",
                    self.env._(
                        "An installment is unpaid %(days)s days after its due date: regular "
                        "dunning resumes for %(left)s.",
                        days=plan.grace_days,
                        left=plan.amount_residual,
                    ),
                )
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=plan.user_id.id or self.env.user.id,
                    summary=self.env._("Payment plan defaulted"),
                    note=self.env._("Call the customer: %(plan)s defaulted.", plan=plan.name),
                )
        defaulted = self.filtered(lambda p: p.state == "defaulted" and p.defaulted_on == today)
        self.env["dunning.send"]._send_plan_emails(defaulted, "default")

    def _send_reminders(self, today):
        """Before and after each installment's due date, once each, on the policy's days."""
        todo = self.env["dunning.payment.plan.installment"]
        events = {}
        for plan in self:
            policy = plan.policy_id
            before = policy.plan_reminder_days_before if policy else 3
            after = policy.plan_reminder_days_after if policy else 1
            for installment in plan.installment_ids:
                sent = frozenset(
                    kind
                    for kind, done in (
                        (core.plans.BEFORE, installment.reminder_before_sent),
                        (core.plans.AFTER, installment.reminder_after_sent),
                    )
                    if done
                )
                event = core.reminder_due(
                    core.Installment(
                        installment.due_date, installment.amount, installment.amount_paid
                    ),
                    today,
                    before,
                    after,
                    sent,
                    plan.currency_id.decimal_places,
                )
                if event:
                    todo |= installment
                    events[installment.id] = event
        for event in (core.plans.BEFORE, core.plans.AFTER):
            installments = todo.filtered(lambda i, event=event: events[i.id] == event)
            sent = self.env["dunning.send"]._send_plan_emails(
                installments.plan_id, event, installments
            )
            flag = "reminder_before_sent" if event == core.plans.BEFORE else "reminder_after_sent"
            sent.plan_installment_id.write({flag: True})

    # Plan emails --------------------------------------------------------------------------

    def _template(self, event):
        """The policy's template for the event, else the shipped one (the field's default)."""
        self.ensure_one()
        field = {
            "proposal": "plan_proposal_template_id",
            core.plans.BEFORE: "plan_reminder_template_id",
            core.plans.AFTER: "plan_overdue_template_id",
            "default": "plan_default_template_id",
        }[event]
        Policy = self.env["dunning.policy"]
        return self.policy_id[field] or Policy._fields[field].default(Policy)
