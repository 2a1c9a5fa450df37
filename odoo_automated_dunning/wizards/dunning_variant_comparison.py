from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import formatLang
from odoo.tools.misc import babel_locale_parse

from ..core import stats


class DunningVariantComparison(models.TransientModel):
    """A level's template experiment, measured: per variant, its email reminders and how
    soon they were paid, read from the effectiveness report; the best variant tested against
    the others on the share fully paid within 30 days (core/stats.py)."""

    _name = "dunning.variant.comparison"
    _description = "Compare Template Variants"

    level_id = fields.Many2one("dunning.level", required=True, readonly=True)
    measured_until = fields.Date(
        string="Measured Reminders Up To",
        readonly=True,
        help="Reminders sent on or before this day are measured: their 30 days have passed.",
    )
    line_ids = fields.One2many(
        "dunning.variant.comparison.line", "comparison_id", string="Variants", readonly=True
    )
    winner_id = fields.Many2one("dunning.level.variant", readonly=True)
    can_promote = fields.Boolean(readonly=True, help="A winner still running: not promoted yet.")
    conclusion = fields.Text(readonly=True)

    @api.model
    def _open_for(self, level):
        comparison = self.create({"level_id": level.id})
        comparison._measure()
        return comparison._action()

    def _action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Compare Variants: %(level)s", level=self.level_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _measure(self):
        """Fill the lines and the conclusion from the effectiveness report."""
        self.ensure_one()
        level = self.level_id
        today = (level.company_id or self.env.company)._dunning_today()
        cutoff = today - timedelta(days=stats.WINDOW_DAYS)
        # The level's variants, archived ones too (a promoted experiment keeps its history).
        variants = (
            self.env["dunning.level.variant"]
            .with_context(active_test=False)
            .search([("level_id", "=", level.id)])
        )
        report = self.env["dunning.effectiveness.report"]
        domain = [("level_id", "=", level.id), ("variant_id", "in", variants.ids)]
        sent = dict(report._read_group(domain, ["variant_id"], ["__count"]))
        measured = {
            variant: values
            for variant, *values in report._read_group(
                [*domain, ("date", "<=", cutoff)],
                ["variant_id"],
                [
                    "__count",
                    "paid_7_rate:sum",
                    "paid_14_rate:sum",
                    "paid_30_rate:sum",
                    "days_to_pay:avg",
                ],
            )
        }
        # Archived variants only with reminders (one archived before it sent is no history).
        variants = variants.filtered(lambda v: v.active or v in sent)
        empty = (0, 0.0, 0.0, 0.0, 0.0)
        # Each reminder's rate is 0 or 100: their sum over 100 counts the paid ones.
        arms = [
            stats.Arm(
                variant.id,
                measured.get(variant, empty)[0],
                round(measured.get(variant, empty)[3] / 100),
            )
            for variant in variants
        ]
        verdict = stats.compare(arms)
        lines = []
        for variant in variants:
            count, paid_7, paid_14, paid_30, days = measured.get(variant, empty)
            test = verdict.tests.get(variant.id)
            lines.append(
                {
                    "variant_id": variant.id,
                    "weight": variant.weight,
                    "sent_count": sent.get(variant, 0),
                    "measured_count": count,
                    "paid_7_share": paid_7 / 100 / count if count else 0.0,
                    "paid_14_share": paid_14 / 100 / count if count else 0.0,
                    "paid_30_share": paid_30 / 100 / count if count else 0.0,
                    "days_to_pay": days or 0.0,
                    "is_best": variant.id == verdict.best,
                    "z_score": test.z if test else 0.0,
                    "p_value": test.p_value if test else 0.0,
                    "p_value_display": self._p_text(test.p_value) if test else False,
                    "tested": bool(test),
                }
            )
        winner = self.env["dunning.level.variant"].browse(verdict.winner or [])
        self.write(
            {
                "measured_until": cutoff,
                "line_ids": [Command.clear()] + [Command.create(vals) for vals in lines],
                "winner_id": winner.id,
                "can_promote": winner.active,
                "conclusion": self._conclusion(verdict, arms, variants),
            }
        )

    def _conclusion(self, verdict, arms, variants):
        names = {variant.id: variant.name for variant in variants}
        shares = {arm.key: arm.share for arm in arms}
        if verdict.kind == stats.VERDICT_SINGLE:
            return self.env._(
                "Add a second variant to compare: a level with one variant sends it to every "
                "reminder."
            )
        if verdict.kind == stats.VERDICT_TOO_FEW:
            short = ", ".join(
                self.env._("%(name)s has %(count)s", name=names[arm.key], count=arm.reminders)
                for arm in arms
                if arm.reminders < stats.MIN_REMINDERS_PER_ARM
            )
            return self.env._(
                "No significant difference yet: a winner is named only once every variant has "
                "at least %(minimum)s reminders whose 30 days have passed (%(short)s).",
                minimum=stats.MIN_REMINDERS_PER_ARM,
                short=short,
            )
        best = verdict.best
        worst_p = max(test.p_value for test in verdict.tests.values())
        if verdict.kind == stats.VERDICT_WINNER and not variants.browse(best).active:
            return self.env._(
                "Variant %(name)s won: %(share)s of its reminders were paid in full within 30 "
                "days (p-value %(p)s). It was promoted: its template is now the level's.",
                name=names[best],
                share=self._percent(shares[best]),
                p=self._p_text(worst_p),
            )
        if verdict.kind == stats.VERDICT_WINNER:
            return self.env._(
                "Variant %(name)s wins: %(share)s of its reminders were paid in full within "
                "30 days, significantly more than the other variants (p-value %(p)s, below "
                "%(alpha)s). A Dunning Manager can promote it: its template becomes the "
                "level's and the experiment ends.",
                name=names[best],
                share=self._percent(shares[best]),
                p=self._p_text(worst_p),
                alpha=self._p_text(verdict.alpha),
            )
        return self.env._(
            "No significant difference yet: variant %(name)s leads with %(share)s paid in full "
            "within 30 days, but the p-value %(p)s is not below %(alpha)s. Keep the experiment "
            "running.",
            name=names[best] if best else "-",
            share=self._percent(shares.get(best, 0.0)),
            p=self._p_text(worst_p),
            alpha=self._p_text(verdict.alpha),
        )

    def _percent(self, share):
        """'71%' in English, '71 %' in French: the language's number and percent sign."""
        pattern = babel_locale_parse(self.env.lang or "en_US").percent_formats[None]
        number = formatLang(self.env, share * 100, digits=0)
        return f"{pattern.prefix[0]}{number}{pattern.suffix[0]}"

    def _p_text(self, value):
        """A p-value with three decimals in the user's language ('0,002' in French)."""
        if value < 0.001:
            return f"< {formatLang(self.env, 0.001, digits=3)}"
        return formatLang(self.env, value, digits=3)

    def action_refresh(self):
        self.ensure_one()
        self._measure()
        return self._action()

    def action_promote_winner(self):
        """The winner's template becomes the level's; the variants are archived. Past
        reminders keep their variant and template, so the report still compares them."""
        self.ensure_one()
        if not self.env.user.has_group("odoo_automated_dunning.group_dunning_manager"):
            raise AccessError(
                self.env._("Only a Dunning Manager can promote a variant: ask one to do it.")
            )
        self._measure()  # on today's figures, not those of when the screen was opened
        if not self.can_promote:
            raise UserError(
                self.env._(
                    "Level %(level)s has no winning variant to promote: %(why)s",
                    level=self.level_id.display_name,
                    why=self.conclusion,
                )
            )
        level = self.level_id
        level.mail_template_id = self.winner_id.mail_template_id
        level.variant_ids.action_archive()
        return {"type": "ir.actions.act_window_close"}


class DunningVariantComparisonLine(models.TransientModel):
    _name = "dunning.variant.comparison.line"
    _description = "Compare Template Variants: Variant"
    _order = "is_best desc, paid_30_share desc, id"

    comparison_id = fields.Many2one(
        "dunning.variant.comparison", required=True, ondelete="cascade", index=True
    )
    variant_id = fields.Many2one("dunning.level.variant", readonly=True)
    mail_template_id = fields.Many2one(related="variant_id.mail_template_id", string="Template")
    running = fields.Boolean(related="variant_id.active", string="Running")
    weight = fields.Float(readonly=True)
    sent_count = fields.Integer(string="Reminders", readonly=True)
    measured_count = fields.Integer(
        string="Measured",
        readonly=True,
        help="Reminders whose 30 days have passed: the shares and the test count these.",
    )
    paid_7_share = fields.Float(string="Paid 7d", readonly=True)
    paid_14_share = fields.Float(string="Paid 14d", readonly=True)
    paid_30_share = fields.Float(string="Paid 30d", readonly=True)
    days_to_pay = fields.Float(string="Days to Pay", readonly=True, digits=(16, 1))
    is_best = fields.Boolean(string="Best", readonly=True)
    tested = fields.Boolean(readonly=True)
    z_score = fields.Float(string="z", readonly=True, digits=(16, 2))
    p_value = fields.Float(string="Exact p-value", readonly=True)
    p_value_display = fields.Char(
        string="p-value",
        readonly=True,
        help="Chance of a difference at least this large between this variant and the best "
        "one if their templates worked equally well (two-proportion test on the share paid "
        "within 30 days).",
    )
