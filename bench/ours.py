"""Measure this addon on the benchmark book (bench/book.py), one phase per process.

    BENCH_PHASE=record python3 -m odoo shell -d <db> --addons-path=<repo> --no-http < bench/ours.py

Phases, each with the standard three-level policy (7 days, 2 weeks, 1 month after due):
- ``record``: a prepare-only run over the whole book: decide and record every reminder;
- ``email``: a run that also renders the emails and queues them in Odoo's mail queue;
- ``send``: the emails of a prepare-only run rendered and queued (*Send Prepared*), the run
  itself (decide and record) done first and not measured, as OCA's emailer is measured on
  credit lines generated beforehand;
- ``letter``: a run whose levels write PDF letters (rendered by wkhtmltopdf).
BENCH_PROFILE=1 prints a cProfile of the measured call on stderr. BENCH_LIMIT restricts ``email`` and ``letter`` to that many customers (a run for the first N
customers with overdue invoices), so they compare with OCA on the same customers.

Prints one ``BENCH {json}`` line (wall seconds, SQL queries, the process's peak RSS, its RSS
before the call and the call's own growth, counts) and rolls back.
"""

import cProfile
import json
import os
import pstats
import sys
import time

from freezegun import freeze_time

from odoo import Command, fields

PHASE = os.environ.get("BENCH_PHASE", "record")
LIMIT = int(os.environ.get("BENCH_LIMIT", "0"))


sys.path.insert(0, os.environ["BENCH_DIR"])
from _measure import (  # noqa: E402  (the path above)
    MemoryWatch,
    cpu_time,
    db_cpu_time,
    warm_report,
    warm_report_assets,
    warm_translations,
)


def main(env):
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    warm_translations(env)
    company = env.company
    company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.write({"active": True, "company_id": company.id})
    env["ir.config_parameter"].set_param("odoo_automated_dunning.sync_customer_limit", 10**9)
    if os.environ.get("BENCH_REPORT_URL"):  # where wkhtmltopdf fetches the report styles
        env["ir.config_parameter"].set_param("report.url", os.environ["BENCH_REPORT_URL"])
    # BENCH_DAYS_AHEAD runs a later day (profiling on a book whose today is already dunned).
    # A run never dates itself after today, so the clock moves to that day too.
    days_ahead = int(os.environ.get("BENCH_DAYS_AHEAD", "0"))
    today = fields.Date.add(fields.Date.today(), days=days_ahead)
    if days_ahead:
        # tick: the clock runs on, so the timings below stay real.
        freeze_time(fields.Datetime.add(fields.Datetime.now(), days=days_ahead), tick=True).start()
    prepare = PHASE in ("record", "send")
    vals = {"date": today, "company_id": company.id, "prepare_only": prepare}
    if LIMIT and PHASE != "record":
        overdue = env["dunning.facts"]._overdue_partner_ids(company, today)
        vals["partner_ids"] = [Command.set(overdue[:LIMIT])]
    if PHASE == "letter":
        for level in policy.level_ids:
            level.channel_ids = [Command.clear(), Command.create({"channel": "letter"})]
        env.cr.execute(
            "UPDATE res_partner SET street = '1 Main Street', city = 'Springfield', zip = '1000', "
            "country_id = %s WHERE email LIKE 'ap%%@customer%%'",
            (env.ref("base.be").id,),
        )
        env.invalidate_all()
        warm_report_assets(env)  # as for OCA's PDFs (bench/oca_peer.py)
        env = env(context=dict(env.context, force_report_rendering=True))

        def first_letters():  # one per language (compiled per language), as OCA's first PDFs
            overdue = env["dunning.facts"]._overdue_partner_ids(company, today)
            by_lang = {p.lang: p.id for p in env["res.partner"].browse(overdue[LIMIT or 0 :])}
            warm = env["dunning.run"].create(
                {**vals, "prepare_only": True, "partner_ids": [Command.set(list(by_lang.values()))]}
            )
            warm.action_run()
            env["ir.actions.report"].with_context(debug=False)._render_qweb_html(
                "odoo_automated_dunning.dunning_letter_report",
                warm.communication_ids.ids,
                data={"report_type": "pdf", "debug": False},
            )

        warm_report(env, first_letters)
    run = env["dunning.run"].create(vals)
    measured = run.action_run
    if PHASE == "send":  # decided and recorded first, not measured: as OCA's emailer is
        run.action_run()
        measured = run.action_send_prepared
    env.flush_all()
    queries = env.cr.sql_log_count
    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    memory = MemoryWatch()
    memory.start()
    db_start = db_cpu_time(env.cr)
    start, cpu_start = time.perf_counter(), cpu_time()
    if profiler:
        profiler.enable()
    measured()
    env.flush_all()
    seconds = time.perf_counter() - start
    cpu_seconds = cpu_time() - cpu_start
    db_seconds = db_cpu_time(env.cr) - db_start
    memory.stop()
    if profiler:  # where the time goes, for bench/README.md
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        if os.environ["BENCH_PROFILE"] not in ("1", "true", "yes"):  # a path: the raw stats
            profiler.dump_stats(os.environ["BENCH_PROFILE"])
    communications = run.communication_ids
    print(  # noqa: T201
        "BENCH "
        + json.dumps(
            {
                "tool": "ours",
                "phase": PHASE,
                "seconds": round(seconds, 3),
                # CPU time (this process and wkhtmltopdf): steadier than wall time on a
                # shared machine.
                "cpu_seconds": round(cpu_seconds, 3),
                # and the CPU time of PostgreSQL's backend serving it
                "db_cpu_seconds": round(db_seconds, 3),
                "queries": env.cr.sql_log_count - queries,
                # The process's own peak, the RSS before the call and the call's own growth.
                **memory.figures(),
                "customers": run.customer_done_count,
                "invoices": run.invoice_count,
                "lines": len(communications.line_ids),
                "sent": len(communications.filtered(lambda c: c.state in ("queued", "sent"))),
                "prepared": len(communications.filtered(lambda c: c.state == "draft")),
                "mails": env["mail.mail"].search_count([("model", "=", "res.partner")]),
            }
        ),
        flush=True,
    )
    env.cr.rollback()


main(env)  # noqa: F821 - provided by odoo shell
