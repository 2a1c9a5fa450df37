"""Measure OCA's account_credit_control 19.0 on the same book as our probe: the peer benchmark.

Fetch the module first (``python3 bench/fetch_oca.py``), install it on the database that holds
the book of posted customer invoices, then run inside Odoo:

    BENCH_PHASE=generate python3 -m odoo shell -d <db> \
        --addons-path=/work/main,/work/main/bench/.oca/addons --no-http < bench/oca_peer.py

The phase comes from BENCH_PHASE:

- ``generate``: a credit control run for today and its line generation, the method behind the
  run's "Compute Credit Lines" button (``credit.control.run.generate_credit_lines``).
- ``email``: lines are generated first (not measured); the level-1 email lines of BENCH_LIMIT
  customers (default all) are set "to be sent", then OCA's emailer wizard
  (``credit.control.emailer``) is opened on them and its button (``email_lines``) is pressed:
  grouping into communications, one mail per communication, queued as ``mail.mail``. OCA's
  shipped template attaches its summary PDF; unless BENCH_OCA_ATTACH=1 the attachment is
  dropped (in the transaction) so the emailer is measured alone; the pdf phase covers the PDF.
- ``pdf``: lines are generated first (not measured); for the level-1 lines of BENCH_LIMIT
  customers OCA's print wizard (``credit.control.printer.print_lines``) groups them into
  communications, then its report (``account_credit_control.credit_control_summary``) is
  rendered to PDF one communication at a time (wkhtmltopdf with an unpatched Qt may fail on
  multi-record batches).

Before measuring, the script makes sure (in the transaction) that a 3-level email policy like
ours exists: level 1 at 10 days after due, level 2 at 30, level 3 at 60, all by due date, with
OCA's shipped email template, on the company's receivable accounts, set as the company's default
credit policy. OCA escalates a line only from a previous reminder: a first run on a fresh book
gives level-1 lines only, whatever the age of the invoice.

It prints one line, ``BENCH {json}``: tool, phase, wall seconds, SQL queries, the process's own
peak RSS (MB), its RSS before the measured call and the call's growth, and the credit lines, customers and invoices handled (plus communications and, for
email, mails queued). Everything is rolled back at the end: the database is left unchanged.
"""

import json
import os
import sys
import time

from odoo import Command, fields

PHASE = os.environ.get("BENCH_PHASE", "generate")
LIMIT = int(os.environ["BENCH_LIMIT"]) if os.environ.get("BENCH_LIMIT") else None
POLICY_NAME = "Benchmark: 3-level email (10/30/60 days after due)"
TEMPLATE = "account_credit_control.email_template_credit_control_base"
REPORT = "account_credit_control.credit_control_summary"
LEVELS = [
    (1, 10, "First reminder"),
    (2, 30, "Second reminder"),
    (3, 60, "Last reminder"),
]


def ensure_policy(env):
    """A 3-level email policy like ours, the company's default credit policy."""
    company = env.company
    policy_model = env["credit.control.policy"]
    receivables = env["account.account"].search(
        [
            *env["account.account"]._check_company_domain(company),
            ("account_type", "=", "asset_receivable"),
        ]
    )
    policy = policy_model.search([("name", "=", POLICY_NAME), ("company_id", "=", company.id)])
    if not policy:
        template = env.ref(TEMPLATE)
        policy = policy_model.create(
            {
                "name": POLICY_NAME,
                "company_id": company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": name,
                            "level": level,
                            "computation_mode": "net_days",
                            "delay_days": days,
                            "channel": "email",
                            "email_template_id": template.id,
                            "mail_show_invoice_detail": True,
                            "custom_text": f"{name}: the invoices below are overdue.",
                            "custom_mail_text": f"<p>{name}: the invoices in the attached "
                            "document are overdue. Please pay them.</p>",
                        }
                    )
                    for level, days, name in LEVELS
                ],
            }
        )
    policy.account_ids = [Command.set(receivables.ids)]
    company.credit_policy_id = policy
    if os.environ.get("BENCH_REPORT_URL"):  # where wkhtmltopdf fetches the report styles
        env["ir.config_parameter"].sudo().set_param("report.url", os.environ["BENCH_REPORT_URL"])
    if PHASE == "email" and not os.environ.get("BENCH_OCA_ATTACH"):
        # The emailer alone, as the peer figures measure it: OCA's shipped template
        # attaches its PDF summary (one wkhtmltopdf call per mail); the pdf phase measures that.
        env.ref(TEMPLATE).report_template_ids = [Command.clear()]
    return policy


# CPU time of the last measure (this process and wkhtmltopdf): steadier than wall time on a
# shared machine.
CPU = {"seconds": 0.0, "db_seconds": 0.0}


def measure(env, function):
    env.flush_all()
    queries = env.cr.sql_log_count
    MEMORY.start()
    db_start = db_cpu_time(env.cr)
    start, cpu_start = time.perf_counter(), cpu_time()
    result = function()
    env.flush_all()
    seconds = time.perf_counter() - start
    CPU["seconds"] = cpu_time() - cpu_start
    CPU["db_seconds"] = db_cpu_time(env.cr) - db_start
    MEMORY.stop()
    return result, seconds, env.cr.sql_log_count - queries


def generate(env, policy):
    run = env["credit.control.run"].create(
        {"date": fields.Date.context_today(env.user), "policy_ids": [Command.set(policy.ids)]}
    )
    run.generate_credit_lines()
    return run.line_ids


def first_level_lines(lines):
    """Level-1 email lines of the first BENCH_LIMIT customers (by id), as OCA's list selects."""
    lines = lines.filtered(lambda line: line.level == 1 and line.channel == "email")
    partners = sorted(set(lines.partner_id.ids))
    if LIMIT is not None:
        partners = set(partners[:LIMIT])
        lines = lines.filtered(lambda line: line.partner_id.id in partners)
    return lines


def phase_generate(env, policy):
    lines, seconds, queries = measure(env, lambda: generate(env, policy))
    return lines, seconds, queries, {}


def phase_email(env, policy):
    lines = first_level_lines(generate(env, policy))
    lines.write({"state": "to_be_sent"})
    env.flush_all()
    mails_before = env["mail.mail"].search_count([])

    def send():
        wizard = (
            env["credit.control.emailer"]
            .with_context(active_model="credit.control.line", active_ids=lines.ids)
            .create({})
        )
        wizard.email_lines()
        return lines.communication_id

    comms, seconds, queries = measure(env, send)
    mails = env["mail.mail"].search_count([]) - mails_before
    queued = lines.filtered(lambda line: line.state == "queued")
    extra = {"communications": len(comms), "mails": mails, "lines_queued": len(queued)}
    return lines, seconds, queries, extra


def phase_pdf(env, policy):
    generated = generate(env, policy)
    lines = first_level_lines(generated)
    warm_report_assets(env)  # as for our letters (bench/ours.py)
    env.flush_all()
    report = env.ref(REPORT)
    renderer = env["ir.actions.report"].with_context(
        discard_logo_check=True, force_report_rendering=True
    )

    def first_pdfs():  # one per language (compiled per language), as our first letters
        others = generated.filtered(
            lambda line: (
                line.level == 1
                and line.channel == "email"
                and line.partner_id not in lines.partner_id
            )
        )
        by_lang = {line.partner_id.lang: line.partner_id for line in others}
        other = others.filtered(lambda line: line.partner_id in by_lang.values())
        wizard = (
            env["credit.control.printer"]
            .with_context(active_model="credit.control.line", active_ids=other.ids)
            .create({})
        )
        comms = env["credit.control.communication"].browse(
            wizard.print_lines()["context"]["active_ids"]
        )
        renderer.with_context(debug=False)._render_qweb_html(
            report.report_name, comms.ids, data={"report_type": "pdf", "debug": False}
        )

    warm_report(env, first_pdfs)
    pdfs = []

    def print_and_render():
        wizard = (
            env["credit.control.printer"]
            .with_context(active_model="credit.control.line", active_ids=lines.ids)
            .create({})
        )
        action = wizard.print_lines()
        comms = env["credit.control.communication"].browse(action["context"]["active_ids"])
        for comm in comms:
            pdf, _kind = renderer._render_qweb_pdf(report.report_name, comm.ids)
            pdfs.append(pdf)
        return comms

    comms, seconds, queries = measure(env, print_and_render)
    valid = sum(1 for pdf in pdfs if pdf.startswith(b"%PDF"))
    extra = {
        "communications": len(comms),
        "pdfs": valid,
        "pdf_bytes": sum(len(pdf) for pdf in pdfs),
    }
    return lines, seconds, queries, extra


PHASES = {"generate": phase_generate, "email": phase_email, "pdf": phase_pdf}


sys.path.insert(0, os.environ["BENCH_DIR"])
from _measure import (  # noqa: E402  (the path above)
    MemoryWatch,
    cpu_time,
    db_cpu_time,
    warm_report,
    warm_report_assets,
    warm_translations,
)

MEMORY = MemoryWatch()  # the process's memory around the measured call


def main(env):
    if PHASE not in PHASES:
        raise SystemExit(f"BENCH_PHASE must be one of {', '.join(PHASES)}, not {PHASE!r}")
    policy = ensure_policy(env)
    warm_translations(env)
    lines, seconds, queries, extra = PHASES[PHASE](env, policy)
    result = {
        "tool": "oca",
        "phase": PHASE,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(CPU["seconds"], 3),
        "db_cpu_seconds": round(CPU["db_seconds"], 3),
        "queries": queries,
        **MEMORY.figures(),
        "lines": len(lines),
        "customers": len(lines.partner_id),
        "invoices": len(lines.invoice_id),
        **extra,
    }
    print("BENCH " + json.dumps(result))  # noqa: T201
    env.cr.rollback()


main(env)  # noqa: F821 - provided by odoo shell
