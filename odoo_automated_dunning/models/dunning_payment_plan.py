from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain

from .. import core
from ..core import inputs

PLAN_STATES = [
    ("draft", "Draft"),
    ("proposed", "Proposed"),
    ("active", "Active"),
    ("completed", "Completed"),
    ("defaulted", "Defaulted"),
    ("cancelled", "Cancelled"),
]
FREQUENCY_SELECTION = [
    ("weekly", "Weekly"),
    ("biweekly", "Every Two Weeks"),
    ("monthly", "Monthly"),
]
# Plans that still hold their invoices: an invoice belongs to at most one of them.
OPEN_STATES = ("draft", "proposed", "active")


class DunningPaymentPlan(models.Model):
    _name = "dunning.payment.plan"
    _description = "Installment Payment Plan"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "dunning.bounded.mixin"]
    _order = "id desc"
    # State changes, the daily cron and the plan emails: dunning_payment_plan_lifecycle.py.

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one("res.currency", required=True)
    policy_id = fields.Many2one(
        "dunning.policy",
        help="Sets the customer's portal limits, the grace days and the plan's email templates.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Approves requests, and is told when the plan defaults.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "dunning_payment_plan_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        required=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    state = fields.Selection(PLAN_STATES, required=True, default="draft", index=True, copy=False)
    amount_total = fields.Monetary(
        string="Total",
        required=True,
        help="What the plan spreads: the invoices' open amount when it was made.",
    )
    down_payment = fields.Monetary()
    installment_count = fields.Integer(string="Installments", required=True, default=3)
    frequency = fields.Selection(FREQUENCY_SELECTION, required=True, default="monthly")
    first_due_date = fields.Date(
        required=True, default=lambda self: self.env.company._dunning_today()
    )
    grace_days = fields.Integer(
        default=5,
        help="Days an installment may stay unpaid after its due date before the "
        "plan defaults and regular dunning resumes.",
    )
    installment_ids = fields.One2many(
        "dunning.payment.plan.installment", "plan_id", string="Schedule", readonly=True
    )
    amount_paid = fields.Monetary(
        string="Paid",
        compute="_compute_amount_paid",
        store=True,
        help="Payments reconciled with the covered invoices since the plan was made.",
    )
    amount_residual = fields.Monetary(
        string="Left to Pay", compute="_compute_amount_paid", store=True
    )
    next_installment_id = fields.Many2one(
        "dunning.payment.plan.installment", compute="_compute_next_installment"
    )
    next_due_date = fields.Date(compute="_compute_next_installment")
    next_amount = fields.Monetary(compute="_compute_next_installment")
    requested_in_portal = fields.Boolean(readonly=True, copy=False)
    approval_reason = fields.Text(
        readonly=True, copy=False, help="Why the customer's request exceeds the policy's limits."
    )
    accepted_name = fields.Char(string="Accepted By", readonly=True, copy=False)
    accepted_on = fields.Datetime(readonly=True, copy=False)
    accepted_ip = fields.Char(string="Accepted From (IP)", readonly=True, copy=False)
    defaulted_on = fields.Date(readonly=True, copy=False)

    _installment_count_positive = models.Constraint(
        "CHECK (installment_count > 0)",
        "A plan needs at least one installment; set the number of installments to 1 or more.",
    )
    _grace_days_positive = models.Constraint(
        "CHECK (grace_days >= 0)", "The grace days of a plan cannot be negative; set 0 or more."
    )

    # Computes and constraints -------------------------------------------------------------

    @api.depends("amount_total", "invoice_ids.amount_residual", "state")
    def _compute_amount_paid(self):
        for plan in self:
            left = sum(plan.invoice_ids.mapped("amount_residual"))
            paid = plan.currency_id.round(max(plan.amount_total - left, 0.0))
            plan.amount_paid = paid
            plan.amount_residual = plan.currency_id.round(max(plan.amount_total - paid, 0.0))

    @api.depends("installment_ids.amount_residual", "installment_ids.due_date")
    def _compute_next_installment(self):
        for plan in self:
            installment = plan.installment_ids.filtered(lambda i: i.state != "paid").sorted(
                lambda i: (i.due_date, i.sequence)
            )[:1]
            plan.next_installment_id = installment
            plan.next_due_date = installment.due_date
            plan.next_amount = installment.amount_residual

    def _compute_access_url(self):
        for plan in self:
            plan.access_url = f"/my/dunning/plan/{plan.id}"

    @api.constrains("installment_count", "grace_days", "first_due_date")
    def _check_terms_range(self):
        for plan in self:
            problem = plan._terms_problem(
                plan.installment_count, plan.grace_days, plan.first_due_date
            )
            if problem:
                raise ValidationError(problem)

    def _terms_problem(self, count, grace_days, first_due_date):
        """Why these terms are out of any sane range (a message naming the plan, the field
        and the fix), or ''. Checked before a schedule is built or a row is written."""
        if len(self) == 1 and self.name not in (False, "/"):
            name = self.env._("Plan %(name)s", name=self.name)
        else:
            name = self.env._("The new plan")
        if count is not None and not 1 <= count <= inputs.MAX_INSTALLMENTS:
            return self.env._(
                "%(plan)s: %(count)s installments; enter between 1 and %(most)s.",
                plan=name,
                count=count,
                most=inputs.MAX_INSTALLMENTS,
            )
        if grace_days is not None and not 0 <= grace_days <= inputs.MAX_GRACE_DAYS:
            return self.env._(
                "%(plan)s: %(days)s grace days; enter between 0 and %(most)s.",
                plan=name,
                days=grace_days,
                most=inputs.MAX_GRACE_DAYS,
            )
        today = self.env.company._dunning_today()
        if first_due_date and not inputs.date_in_range(fields.Date.to_date(first_due_date), today):
            return self.env._(
                "%(plan)s: the first due date %(date)s is out of range; choose a date "
                "between %(first)s and %(last)s.",
                plan=name,
                date=first_due_date,
                first=inputs.MIN_DATE,
                last=fields.Date.add(today, days=inputs.MAX_DAYS_AHEAD),
            )
        return ""

    def _check_terms_vals(self, vals):
        """The terms in create/write values, refused before the database sees them (its
        CHECK would log an ERROR and show a raw message; a year-9999 date would overflow)."""
        problem = self._terms_problem(
            vals.get("installment_count"), vals.get("grace_days"), vals.get("first_due_date")
        )
        if problem:
            raise ValidationError(problem)

    @api.constrains("invoice_ids", "partner_id", "currency_id", "company_id", "state")
    def _check_invoices(self):
        for plan in self:
            moves = plan.invoice_ids
            wrong = moves.filtered(
                lambda m, plan=plan: (
                    m.commercial_partner_id != plan.partner_id
                    or m.company_id != plan.company_id
                    or m.currency_id != plan.currency_id
                    or m.move_type != "out_invoice"
                    or m.state != "posted"
                )
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s can only cover posted customer invoices of %(partner)s in "
                        "%(currency)s and company %(company)s; remove %(moves)s.",
                        plan=plan.name,
                        partner=plan.partner_id.display_name,
                        currency=plan.currency_id.name,
                        company=plan.company_id.name,
                        moves=", ".join(wrong.mapped("display_name")),
                    )
                )
        open_plans = self.filtered(lambda p: p.state in OPEN_STATES)
        if not open_plans:
            return
        clashes = self.search(
            [
                ("id", "not in", open_plans.ids),
                ("state", "in", OPEN_STATES),
                ("invoice_ids", "in", open_plans.invoice_ids.ids),
            ]
        )
        for other in clashes:
            shared = other.invoice_ids & open_plans.invoice_ids
            raise ValidationError(
                self.env._(
                    "%(moves)s already belong to plan %(plan)s; cancel that plan first or "
                    "leave them out.",
                    moves=", ".join(shared.mapped("display_name")),
                    plan=other.name,
                )
            )

    # Create and write ---------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_terms_vals(vals)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("dunning.payment.plan") or "/"
        plans = super().create(vals_list)
        plans._build_installments()
        return plans

    def write(self, vals):
        terms = {"amount_total", "down_payment", "installment_count", "frequency", "first_due_date"}
        if terms & set(vals) and self.filtered(lambda p: p.state not in ("draft", "proposed")):
            raise UserError(
                self.env._(
                    "The terms of an accepted plan cannot change; cancel it and make a new one."
                )
            )
        for plan in self:
            plan._check_terms_vals(vals)
        result = super().write(vals)
        if terms & set(vals):
            self._build_installments()
        return result

    # Actions -------------------------------------------------------------------------------

    def action_propose(self):
        """Send the schedule to the customer, who accepts it in the portal."""
        for plan in self:
            plan._require_state("draft")
            plan._change_state("proposed", self.env._("Proposed to the customer."))
        self.env["dunning.send"]._send_plan_emails(self, "proposal")
        return True

    def action_activate(self):
        """The customer agreed (by phone, in writing): the plan starts now."""
        for plan in self:
            plan._require_state("draft", "proposed")
            plan._change_state(
                "active", self.env._("Activated by %(user)s.", user=self.env.user.name)
            )
        return True

    def action_approve(self):
        """Approve a customer's request that went beyond the policy's limits."""
        if not self.env.user.has_group("odoo_automated_dunning.group_dunning_user"):
            raise UserError(self.env._("Only Dunning users can approve plan requests."))
        for plan in self:
            plan._require_state("draft")
            plan.activity_ids.filtered(lambda a: a.user_id == self.env.user).action_feedback(
                feedback=self.env._("Approved")
            )
            plan._change_state(
                "active", self.env._("Request approved by %(user)s.", user=self.env.user.name)
            )
        self.env["dunning.send"]._send_plan_emails(self, "proposal")
        return True

    def action_cancel(self):
        for plan in self:
            plan._require_state("draft", "proposed", "active")
            plan._change_state("cancelled", self.env._("Cancelled: regular dunning resumes."))
        return True

    def action_open_invoices(self):
        self.ensure_one()
        return self.invoice_ids._dunning_action_list()

    def action_accept_portal(self, name, ip_address):
        """The customer accepts a proposed plan in the portal, on record with name and IP."""
        self.ensure_one()
        if self.state != "proposed":
            raise UserError(
                self.env._("Plan %(plan)s is not waiting for your acceptance.", plan=self.name)
            )
        if not (name or "").strip():
            raise UserError(self.env._("Type your name to accept plan %(plan)s.", plan=self.name))
        self.write(
            {
                "accepted_name": name.strip(),
                "accepted_on": fields.Datetime.now(),
                "accepted_ip": ip_address,
            }
        )
        self._change_state(
            "active",
            self.env._(
                "Accepted in the portal by %(name)s from %(ip)s.", name=name.strip(), ip=ip_address
            ),
        )
        return True

    # Business ------------------------------------------------------------------------------

    def _build_installments(self):
        """Replace the schedule of draft or proposed plans by one built from their terms."""
        for plan in self.filtered(lambda p: p.state in ("draft", "proposed")):
            digits = plan.currency_id.decimal_places
            problems = core.schedule_problems(
                plan.amount_total, plan.down_payment, plan.installment_count, plan.frequency, digits
            )
            if problems:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: %(problems)s", plan=plan.name, problems=" ".join(problems)
                    )
                )
            schedule = core.build_schedule(
                plan.amount_total,
                plan.down_payment,
                plan.installment_count,
                plan.frequency,
                plan.first_due_date,
                digits,
            )
            plan.installment_ids = [Command.clear()] + [
                Command.create(
                    {
                        "sequence": index,
                        "due_date": item.due_date,
                        "amount": item.amount,
                        "down_payment": item.down_payment,
                    }
                )
                for index, item in enumerate(schedule, start=1)
            ]

    @api.model
    def _policy_for(self, partner, company):
        """The customer's own policy, else the company's first policy."""
        partner = partner.with_company(company)
        return partner.dunning_policy_id or self.env["dunning.policy"].search(
            [("company_id", "=", company.id)], limit=1
        )

    @api.model
    def _prepare_from_invoices(self, invoices, **terms):
        """Create values for a plan over ``invoices`` (one customer, company and currency)."""
        if not invoices:
            raise UserError(self.env._("Select the open invoices the plan should cover."))
        partners, companies = invoices.commercial_partner_id, invoices.company_id
        currencies = invoices.currency_id
        if len(partners) > 1 or len(companies) > 1 or len(currencies) > 1:
            raise UserError(
                self.env._(
                    "A plan covers the invoices of one customer, in one company and one "
                    "currency; %(moves)s mix them.",
                    moves=", ".join(invoices.mapped("display_name")),
                )
            )
        policy = self._policy_for(partners, companies)
        vals = {
            "partner_id": partners.id,
            "company_id": companies.id,
            "currency_id": currencies.id,
            "policy_id": policy.id,
            "grace_days": policy.plan_grace_days if policy else 5,
            "invoice_ids": [Command.set(invoices.ids)],
            "amount_total": currencies.round(sum(invoices.mapped("amount_residual"))),
            "user_id": partners.with_company(companies)._dunning_collector(policy).id,
        }
        vals.update(terms)
        return vals

    # Portal requests ----------------------------------------------------------------------

    def _portal_limits(self, partner, total, down_payment, count):
        """Why a customer's own request needs approval (empty: approved at once)."""
        policy = self._policy_for(partner, self.env.company)
        if not policy:
            return [self.env._("No dunning policy sets portal limits.")]
        allowed = not policy.plan_portal_category_ids or bool(
            partner.category_id & policy.plan_portal_category_ids
        )
        limits = core.PortalLimits(
            allowed=allowed,
            max_installments=policy.plan_portal_max_installments,
            min_installment=policy.plan_portal_min_installment,
            max_total=policy.plan_portal_max_total,
        )
        return core.request_problems(limits, total, down_payment, count)

    @api.model
    def _portal_request(self, invoices, installment_count, frequency, name, ip_address):
        """A customer asks for a plan in the portal: within the policy's limits it starts at
        once, with the customer's acceptance on record; beyond them it waits for approval."""
        vals = self._prepare_from_invoices(
            invoices,
            installment_count=installment_count,
            frequency=frequency,
            first_due_date=invoices.company_id[:1]._dunning_today(),
            requested_in_portal=True,
            accepted_name=(name or "").strip(),
            accepted_on=fields.Datetime.now(),
            accepted_ip=ip_address,
        )
        if not vals["accepted_name"]:
            raise UserError(self.env._("Type your name to request a plan."))
        # A hard maximum even for requests that would wait for approval: a customer cannot
        # make the server build thousands of installments.
        if installment_count > inputs.PORTAL_MAX_INSTALLMENTS:
            raise UserError(
                self.env._(
                    "Choose between 1 and %(max)s installments.",
                    max=inputs.PORTAL_MAX_INSTALLMENTS,
                )
            )
        # Checked before anything is written: a refused request leaves the cursor usable.
        problems = core.schedule_problems(
            vals["amount_total"],
            0.0,
            installment_count,
            frequency,
            invoices.currency_id.decimal_places,
        )
        if problems:
            raise UserError(" ".join(problems))
        problems = self.with_company(vals["company_id"])._portal_limits(
            invoices.commercial_partner_id, vals["amount_total"], 0.0, installment_count
        )
        plan = self.create(vals)
        if problems:
            plan.approval_reason = "\n".join(problems)
            plan.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=plan.user_id.id,
                summary=self.env._("Approve the customer's plan request"),
                note="\n".join(problems),
            )
            plan.message_post(
                body=self.env._(
                    "Requested in the portal by %(name)s; waiting for approval: %(why)s",
                    name=vals["accepted_name"],
                    why=" ".join(problems),
                )
            )
        else:
            plan._change_state(
                "active",
                self.env._(
                    "Requested and accepted in the portal by %(name)s from %(ip)s, within the "
                    "policy's limits.",
                    name=vals["accepted_name"],
                    ip=ip_address,
                ),
            )
        return plan

    # Queries ------------------------------------------------------------------------------

    @api.model
    def _active_invoice_ids(self, moves):
        """The invoices among ``moves`` that an active plan covers: one query."""
        if not moves:
            return set()
        plans = self.sudo().search(
            Domain("state", "=", "active") & Domain("invoice_ids", "in", moves.ids)
        )
        return set(plans.invoice_ids.ids) & set(moves.ids)
