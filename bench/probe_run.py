"""Measure one dunning run on a generated book: time and SQL queries, deciding vs sending.

Run inside Odoo on a scratch database where the addon is installed:

    python3 -m odoo shell -d <db> --addons-path=<repo> --no-http < bench/probe_run.py

Sizes come from the environment: PROBE_CUSTOMERS (default 500), PROBE_INVOICES_PER_CUSTOMER
(default 2). The book is created through the ORM in batches (posted invoices, immediate terms,
due 1 to 120 days before the run date); it is rolled back at the end.
"""

import os
import time
from datetime import timedelta

from odoo import Command, fields

CUSTOMERS = int(os.environ.get("PROBE_CUSTOMERS", "500"))
PER_CUSTOMER = int(os.environ.get("PROBE_INVOICES_PER_CUSTOMER", "2"))


def measure(env, label, function):
    env.flush_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    result = function()
    env.flush_all()
    elapsed = time.perf_counter() - start
    spent = env.cr.sql_log_count - queries
    print(f"{label}: {elapsed:.2f} s, {spent} queries")  # noqa: T201
    return result, elapsed, spent


def build_book(env, today):
    company = env.company
    if not env["account.journal"].search_count(
        [("company_id", "=", company.id), ("type", "=", "sale")]
    ):
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    immediate = env.ref("account.account_payment_term_immediate")
    partners = env["res.partner"].create(
        [
            {"name": f"Customer {i}", "email": f"c{i}@example.com", "is_company": True}
            for i in range(CUSTOMERS)
        ]
    )
    vals = [
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=1 + (i * 37 + j * 11) % 120),
            "invoice_payment_term_id": immediate.id,
            "invoice_line_ids": [
                Command.create(
                    {"name": "Service", "quantity": 1, "price_unit": 100 + i % 900, "tax_ids": []}
                )
            ],
        }
        for i, partner in enumerate(partners)
        for j in range(PER_CUSTOMER)
    ]
    moves = env["account.move"].create(vals)
    moves.action_post()
    return moves


def main(env):
    env = env(context=dict(env.context, tracking_disable=True))
    today = fields.Date.today()
    (_moves, build_time, _q) = measure(
        env, f"book: {CUSTOMERS * PER_CUSTOMER} invoices", lambda: build_book(env, today)
    )
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.write({"active": True, "company_id": env.company.id})
    env["ir.config_parameter"].set_param("odoo_automated_dunning.sync_customer_limit", 10**9)

    run = env["dunning.run"].create({"date": today})

    def decide():
        return sum(
            len(plan.decisions) for plan, _r in run._iter_plans(run._candidate_partner_ids())
        )

    decided, decide_time, decide_queries = measure(env, "decide only (preview path)", decide)
    _r, send_time, send_queries = measure(
        env, "decide, record, render and queue mails", run.action_run
    )
    print(  # noqa: T201
        f"customers decided: {decided}; sent {run.sent_count}, skipped {run.skipped_count}, "
        f"failed {run.failed_count}, invoices evaluated {run.invoice_count}\n"
        f"per customer: decide {1000 * decide_time / max(decided, 1):.2f} ms "
        f"({decide_queries / max(decided, 1):.3f} queries), full run "
        f"{1000 * send_time / max(decided, 1):.2f} ms ({send_queries / max(decided, 1):.2f} queries)"
    )
    env.cr.rollback()


main(env)  # noqa: F821 - provided by odoo shell
