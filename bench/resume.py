"""Kill-and-resume proof for bench/run: one dunning run, committed batch by batch.

    BENCH_PHASE=start|work|status|check python3 -m odoo shell -d <db> ... < bench/resume.py

``start`` creates today's run (batches of BENCH_BATCH customers) and commits; ``work``
processes it as the cron does, committing each batch (bench/run kills this one mid-way, then
starts it again); ``status`` and ``check`` report. Prints one ``BENCH {json}`` line.
"""

import json
import os

from odoo import fields

PHASE = os.environ.get("BENCH_PHASE", "status")
BATCH = int(os.environ.get("BENCH_BATCH", "250"))


def report(values):
    print("BENCH " + json.dumps(values), flush=True)  # noqa: T201


def main(env):
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    Run = env["dunning.run"]
    # The newest run: the one ``start`` made (the measured phases rolled theirs back).
    run = Run.search([("state", "!=", "draft")], order="id desc", limit=1)
    if PHASE == "start":
        company = env.company
        company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
        policy.write({"active": True, "company_id": company.id})
        env["ir.config_parameter"].set_param("odoo_automated_dunning.batch_size", BATCH)
        run = Run.create({"date": fields.Date.today(), "company_id": company.id})
        run.write({"state": "running", "started_at": fields.Datetime.now()})
        env.cr.commit()
        report({"run": run.id})
    elif PHASE == "work":
        finished = run.with_company(run.company_id)._process(commit=True)
        env.cr.commit()
        report({"finished": finished, "done": run.customer_done_count})
    elif PHASE == "status":
        report(
            {
                "done": run.customer_done_count,
                "customers": run.customer_count,
                "batch": BATCH,
                "state": run.state,
            }
        )
    elif PHASE == "check":
        communications = run.communication_ids
        env.cr.execute(
            "SELECT count(*) FROM (SELECT message.res_id FROM mail_mail mail "
            "JOIN mail_message message ON message.id = mail.mail_message_id "
            "WHERE message.model = 'res.partner' AND message.res_id = ANY(%s) "
            "GROUP BY message.res_id HAVING count(*) > 1) doubles",
            (communications.partner_id.ids,),
        )
        duplicates = env.cr.fetchone()[0]
        report(
            {
                "state": run.state,
                "communications": len(communications),
                "partners": len(communications.partner_id),
                "customers": run.customer_count,
                "mails": env["mail.mail"].search_count(
                    [("model", "=", "res.partner"), ("res_id", "in", communications.partner_id.ids)]
                ),
                "duplicates": duplicates,
            }
        )


main(env)  # noqa: F821 - provided by odoo shell
