"""The nightly jobs over the whole book, one job per process (bench/run), rolled back.

    BENCH_PHASE=behaviour|plans python3 -m odoo shell -d <db> --addons-path=<repo> --no-http \\
        < bench/nightly.py

- ``behaviour``: the daily behaviour job (``dunning.partner.behaviour._cron_compute``): every
  customer's payment habit, score and each open invoice's predicted payment date, in batches;
- ``plans``: the payment plans' daily checks (``dunning.payment.plan._cron_check_plans``) on
  BENCH_PLANS active plans made first (outside the measure) over open invoices, their first
  installments due in the past so that the job completes, defaults and reminds;
- ``release``: the send quota's deferred reminders (``_cron_release_deferred``), when nothing
  is deferred the cost of looking.

There is no cron of replies or promises of its own: replies are read as mail comes in, broken
promises are checked by the dunning run itself (measured by the ``record`` phase).

Prints one ``BENCH {json}`` line (wall seconds, SQL queries, the process's own peak RSS, its RSS
before the job and the job's growth) and rolls back. BENCH_PROFILE=1 prints a cProfile of the
measured call on stderr.
"""

import cProfile
import json
import os
import pstats
import sys
import time

PHASE = os.environ.get("BENCH_PHASE", "behaviour")
PLANS = int(os.environ.get("BENCH_PLANS", "300"))

sys.path.insert(0, os.environ["BENCH_DIR"])
from _measure import MemoryWatch  # noqa: E402  (the path above)


def make_plans(env, count):
    """``count`` active plans over the oldest open invoice of as many customers."""
    from odoo import fields  # noqa: PLC0415

    today = env.company._dunning_today()
    env.cr.execute(
        "SELECT DISTINCT ON (commercial_partner_id) id FROM account_move "
        "WHERE move_type = 'out_invoice' AND state = 'posted' "
        "AND payment_state = 'not_paid' AND invoice_date_due < %s "
        "ORDER BY commercial_partner_id, invoice_date_due LIMIT %s",
        (today, count),
    )
    invoices = env["account.move"].browse([row[0] for row in env.cr.fetchall()])
    Plan = env["dunning.payment.plan"]
    vals_list = []
    for index, invoice in enumerate(invoices):
        vals_list.append(
            Plan._prepare_from_invoices(
                invoice,
                installment_count=3,
                frequency="monthly",
                # A third due long ago (defaults), a third due in a few days (reminded before),
                # a third later (nothing to do): the job sees each case.
                first_due_date=fields.Date.add(today, days=(-40, 3, 20)[index % 3]),
            )
        )
    plans = Plan.create(vals_list)
    plans.action_activate()
    env.flush_all()
    return plans


def main(env):
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    company = env.company
    setup = {}
    if PHASE == "behaviour":
        job = env["dunning.partner.behaviour"]._cron_compute
    elif PHASE == "plans":
        started = time.perf_counter()
        plans = make_plans(env, PLANS)
        setup = {"plans": len(plans), "setup_seconds": round(time.perf_counter() - started, 1)}
        env.invalidate_all()
        job = env["dunning.payment.plan"]._cron_check_plans
    else:
        job = env["dunning.communication"]._cron_release_deferred
    mails_before = env["mail.mail"].search_count([])
    queries = env.cr.sql_log_count
    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    memory = MemoryWatch()
    memory.start()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    job()
    env.flush_all()
    seconds = time.perf_counter() - start
    memory.stop()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    counts = {}
    if PHASE == "behaviour":
        env.cr.execute(
            "SELECT count(*) FROM dunning_partner_behaviour WHERE company_id = %s", (company.id,)
        )
        counts["customers"] = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT count(*) FROM account_move WHERE dunning_predicted_date IS NOT NULL "
            "AND company_id = %s",
            (company.id,),
        )
        counts["predicted_invoices"] = env.cr.fetchone()[0]
    elif PHASE == "plans":
        env.cr.execute(
            "SELECT state, count(*) FROM dunning_payment_plan GROUP BY state ORDER BY state"
        )
        counts["plan_states"] = dict(env.cr.fetchall())
        counts["mails"] = env["mail.mail"].search_count([]) - mails_before
    print(  # noqa: T201
        "BENCH "
        + json.dumps(
            {
                "phase": PHASE,
                "seconds": round(seconds, 3),
                "queries": env.cr.sql_log_count - queries,
                **memory.figures(),
                **setup,
                **counts,
            }
        ),
        flush=True,
    )
    env.cr.rollback()


main(env)  # noqa: F821 - provided by odoo shell
