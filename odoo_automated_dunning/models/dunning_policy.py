from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..core import LevelConfig, policy_problems

# A reply pauses reminders for at most this long: the collector answers within weeks.
MAX_REPLY_PAUSE_DAYS = 90


def _plan_template(string, xmlid):
    """A payment plan email template of the policy, the shipped one by default."""
    return fields.Many2one(
        "mail.template",
        string=string,
        domain="[('model', '=', 'dunning.communication')]",
        default=lambda self: self.env.ref(
            f"odoo_automated_dunning.{xmlid}", raise_if_not_found=False
        ),
    )


class DunningPolicy(models.Model):
    _name = "dunning.policy"
    _description = "Dunning Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10, help="Invoices follow the first matching policy in this order."
    )
    level_ids = fields.One2many("dunning.level", "policy_id", string="Levels", copy=True)
    journal_ids = fields.Many2many(
        "account.journal",
        string="Journals",
        domain="[('type', '=', 'sale')]",
        check_company=True,
        help="Only invoices of these journals follow this policy (all when empty).",
    )
    payment_term_ids = fields.Many2many(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        help="Only invoices with these payment terms (all when empty).",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Only invoices with a product in these categories or their subcategories.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Only customers with one of these tags (all when empty).",
    )
    partner_type = fields.Selection(
        [
            ("any", "Companies and individuals"),
            ("company", "Companies"),
            ("individual", "Individuals"),
        ],
        string="Customer Type",
        default="any",
        required=True,
    )
    minimum_amount = fields.Monetary(
        currency_field="company_currency_id",
        help="Only invoices whose total (in company currency) reaches this amount.",
    )
    minimum_risk_score = fields.Float(
        help="Only customers whose payment behaviour risk score reaches this (0: all), e.g. a "
        "firmer policy for high-risk customers placed before the standard one.",
    )
    domain = fields.Char(
        string="Invoice Filter",
        default="[]",
        help="An extra filter on invoices; the policy applies only to invoices it matches.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    level_count = fields.Integer(compute="_compute_level_count")
    note = fields.Html(string="Internal Notes")
    rule_set_id = fields.Many2one(
        "dunning.rule.set",
        string="Late Payment Rules",
        help="The law that decides which fees, compensation and interest may be charged.",
    )
    rule_set_by_country = fields.Boolean(
        string="Rules by Customer Country",
        help="Apply the rule set of the customer's country when there is one.",
    )
    responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        domain="[('share', '=', False)]",
        help="Gets the phone-call tasks of customers who have no collector of their own.",
    )
    promise_grace_days = fields.Integer(
        default=3,
        help="Days after a promised payment date before the promise counts as broken and "
        "dunning resumes, one level higher.",
    )
    reply_pause_days = fields.Integer(
        string="Pause After a Reply (Days)",
        default=5,
        help="When a customer answers a reminder (not an automatic reply), its automatic "
        "reminders pause for this many days so the collector can act; 0: no pause.",
    )
    post_charges = fields.Boolean(
        default=True,
        help="Post fee invoices and interest notes; when unticked they stay draft for review.",
    )

    plan_portal_max_installments = fields.Integer(
        string="Portal: Maximum Installments",
        default=6,
        help="Customers may set up a plan alone in the portal with up to this many "
        "installments; 0 sends every request for approval.",
    )
    plan_portal_min_installment = fields.Monetary(
        string="Portal: Minimum Installment",
        currency_field="company_currency_id",
        help="A portal request with smaller installments goes for approval.",
    )
    plan_portal_max_total = fields.Monetary(
        string="Portal: Maximum Total",
        currency_field="company_currency_id",
        help="A portal request for more goes for approval (0: no limit).",
    )
    plan_portal_category_ids = fields.Many2many(
        "res.partner.category",
        "dunning_policy_plan_category_rel",
        string="Portal: Customer Tags",
        help="Only customers with one of these tags may set up a plan alone (empty: all).",
    )
    plan_grace_days = fields.Integer(
        default=5,
        help="Days an installment may stay unpaid after its due date before the plan defaults.",
    )
    plan_reminder_days_before = fields.Integer(
        string="Installment Reminder (Days Before)",
        default=3,
        help="Remind the customer this many days before an installment is due (-1: never).",
    )
    plan_reminder_days_after = fields.Integer(
        string="Installment Reminder (Days After)",
        default=1,
        help="Remind the customer this many days after an unpaid due date (-1: never).",
    )
    plan_proposal_template_id = _plan_template(
        "Plan Proposal Template", "mail_template_plan_proposal"
    )
    plan_reminder_template_id = _plan_template(
        "Installment Due Soon Template", "mail_template_plan_reminder"
    )
    plan_overdue_template_id = _plan_template(
        "Installment Overdue Template", "mail_template_plan_overdue"
    )
    plan_default_template_id = _plan_template(
        "Plan Defaulted Template", "mail_template_plan_default"
    )

    _promise_grace_days_positive = models.Constraint(
        "CHECK (promise_grace_days >= 0)",
        "The grace days after a promised payment date cannot be negative; set 0 or more.",
    )
    _plan_limits_positive = models.Constraint(
        "CHECK (plan_portal_max_installments >= 0 AND plan_grace_days >= 0)",
        "Portal plan limits and plan grace days cannot be negative; set 0 or more.",
    )

    def _compute_level_count(self):
        counts = dict(
            self.env["dunning.level"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.level_count = counts.get(policy, 0)

    @api.constrains("level_ids", "active")
    def _check_levels(self):
        problems = []
        for policy in self.filtered("active"):
            problems += policy_problems(policy.name, policy._level_configs())
        if problems:
            raise ValidationError("\n".join(problems))

    @api.constrains("reply_pause_days")
    def _check_reply_pause_days(self):
        for policy in self:
            if not 0 <= policy.reply_pause_days <= MAX_REPLY_PAUSE_DAYS:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s pauses reminders for %(days)s days after a reply; "
                        "enter between 0 (no pause) and %(most)s days.",
                        policy=policy.display_name,
                        days=policy.reply_pause_days,
                        most=MAX_REPLY_PAUSE_DAYS,
                    )
                )

    @api.constrains("domain")
    def _check_domain(self):
        for policy in self:
            try:
                domain = policy._parsed_domain()
                self.env["account.move"].search_count(domain, limit=1)
            except (ValueError, SyntaxError, TypeError) as error:
                raise ValidationError(
                    self.env._(
                        'Policy "%(name)s": the invoice filter is not a valid domain (%(error)s). '
                        "Fix it or reset it to [].",
                        name=policy.name,
                        error=error,
                    )
                ) from error

    def _level_configs(self):
        self.ensure_one()
        return [
            LevelConfig(
                name=level.name,
                delay=level.delay,
                delay_unit=level.delay_unit,
                has_template=bool(level.mail_template_id),
                minimum_gap_days=level.minimum_gap_days,
                minimum_amount=level.minimum_amount,
                channels=tuple(channel for channel, _fallback in level._channel_pairs()),
                has_sms_template=bool(level.sms_template_id),
            )
            for level in self.level_ids.sorted(lambda lv: (lv.sequence, lv.id))
        ]

    def _parsed_domain(self):
        self.ensure_one()
        return Domain(literal_eval(self.domain or "[]"))
