"""Build a large receivables book fast, for the benchmark (bench/run).

Run inside Odoo on the benchmark's own database, where the addon is installed:

    BENCH_CUSTOMERS=20000 BENCH_INVOICES=100000 \
        python3 -m odoo shell -d <db> --addons-path=<repo> --no-http < bench/book.py

Creating invoices through the ORM costs about 50 ms each, so only a few hundred *seed*
documents go through Odoo's own flows: posted invoices in three currencies, invoices partly
paid through the payment register (their payment moves and partial reconciliations), and open
credit notes. The rest of the book is copied from the seeds set-wise in SQL, each copy with
its own customer, name and dates shifted so that due dates spread over the 120 days before
today. Copies keep every stored figure of their seed (balances, residuals, payment state), so
the book is as consistent as the seeds: posted moves, receivable lines, residuals, partials.
The transaction is committed at the end.
"""

import os
import time
from datetime import timedelta

from odoo import Command, fields

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000"))
INVOICES = int(os.environ.get("BENCH_INVOICES", "5000"))
SEEDS = min(int(os.environ.get("BENCH_SEEDS", "240")), INVOICES)
LANGS = ("en_US", "fr_FR", "de_DE")


def say(message):
    print(f"[book] {message}", flush=True)  # noqa: T201


def prepare(env):
    company = env.company
    if not env["account.journal"].search_count(
        [("company_id", "=", company.id), ("type", "=", "sale")]
    ):
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    for code in LANGS[1:]:
        env["res.lang"]._activate_lang(code)
    currencies = [company.currency_id]
    for name, rate in (("EUR", 0.9), ("GBP", 0.8)):
        currency = env.ref(f"base.{name}").sudo()
        currency.active = True
        if currency != company.currency_id and not currency.rate_ids:
            env["res.currency.rate"].create(
                {"currency_id": currency.id, "rate": rate, "name": "2020-01-01"}
            )
        if currency != company.currency_id:
            currencies.append(currency)
    return currencies


def make_partners(env):
    partners = env["res.partner"]
    for start in range(0, CUSTOMERS, 2000):
        partners |= env["res.partner"].create(
            [
                {
                    "name": f"Bench customer {i:06d}",
                    "email": f"ap{i}@customer{i}.example.com",
                    "is_company": True,
                    "lang": LANGS[i % len(LANGS)],
                }
                for i in range(start, min(start + 2000, CUSTOMERS))
            ]
        )
    return partners


def make_seeds(env, partners, currencies, today):
    """Seed documents through Odoo's flows, all 60 days old with immediate terms."""
    immediate = env.ref("account.account_payment_term_immediate")
    day = today - timedelta(days=60)
    vals = []
    for i in range(SEEDS):
        refund = i % 20 == 19  # 5% open credit notes
        currency = currencies[0 if i % 10 < 7 else (1 if i % 10 < 9 else 2)]
        vals.append(
            {
                "move_type": "out_refund" if refund else "out_invoice",
                "partner_id": partners[i % len(partners)].id,
                "invoice_date": day,
                "invoice_payment_term_id": immediate.id,
                "currency_id": currency.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": (40 if refund else 120) + (i * 53) % 1900,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
    seeds = env["account.move"].create(vals)
    seeds.action_post()
    partly = seeds.filtered(lambda m: m.move_type == "out_invoice")[::10]  # 10% partly paid
    for invoice in partly:
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {"amount": invoice.currency_id.round(invoice.amount_total / 3), "payment_date": day}
        )._create_payments()
    return seeds


def columns(env, table):
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in env.cr.fetchall()]


def copy_rows(env, table, mapping_sql, overrides):
    """INSERT INTO table SELECT every column of the source row, some replaced by expressions
    over the mapping ``m`` (new_id and the copy's fields)."""
    cols = columns(env, table)
    select = ", ".join(overrides.get(col, f"src.{col}") for col in cols)
    env.cr.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} "  # noqa: S608 - our own names
        f"FROM {mapping_sql}"
    )


def copy_book(env, seeds, partners, today):
    """Copy the seeds (and their payments and partials) into INVOICES - SEEDS documents."""
    copies = INVOICES - len(seeds)
    if copies <= 0:
        return
    cr = env.cr
    payment_moves = {}
    for seed in seeds:
        lines = seed.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        counterparts = (
            lines.matched_credit_ids.credit_move_id | lines.matched_debit_ids.debit_move_id
        ).move_id
        payment_moves[seed.id] = counterparts.ids
    # Copy j: seed j % S for customer j % N, its dates shifted so the due date falls
    # 1 to 120 days before today (seeds are due 60 days ago).
    rows = []
    for j in range(copies):
        seed = seeds[j % len(seeds)]
        shift = 59 - (j * 37) % 120
        partner = partners[(j + len(seeds)) % len(partners)].id
        for old in [seed.id, *payment_moves[seed.id]]:
            rows.append((old, j, partner, shift))
    cr.execute(
        "CREATE TEMP TABLE bench_move_map (old_id int, copy_no int, partner_id int, shift int, "
        "new_id int) ON COMMIT DROP"
    )
    for start in range(0, len(rows), 50000):
        chunk = rows[start : start + 50000]
        cr.execute(
            "INSERT INTO bench_move_map "
            "SELECT o, c, p, s, nextval('account_move_id_seq') "
            "FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[]) AS t(o, c, p, s)",
            (
                [r[0] for r in chunk],
                [r[1] for r in chunk],
                [r[2] for r in chunk],
                [r[3] for r in chunk],
            ),
        )
    cr.execute("CREATE INDEX ON bench_move_map (old_id)")
    moved = "(src.{col} - m.shift)"
    copy_rows(
        env,
        "account_move",
        "bench_move_map m JOIN account_move src ON src.id = m.old_id",
        {
            "id": "m.new_id",
            "name": "src.name || '-' || m.copy_no",
            "payment_reference": "src.name || '-' || m.copy_no",
            "partner_id": "m.partner_id",
            "commercial_partner_id": "m.partner_id",
            "partner_shipping_id": "m.partner_id",
            "date": moved.format(col="date"),
            "invoice_date": moved.format(col="invoice_date"),
            "invoice_date_due": moved.format(col="invoice_date_due"),
            "origin_payment_id": "NULL",
            "access_token": "NULL",
            "message_main_attachment_id": "NULL",
            "sequence_number": "m.new_id",
        },
    )
    cr.execute(
        "CREATE TEMP TABLE bench_line_map ON COMMIT DROP AS "
        "SELECT line.id AS old_id, nextval('account_move_line_id_seq') AS new_id, "
        "m.new_id AS move_id, m.partner_id, m.shift, m.copy_no "
        "FROM bench_move_map m JOIN account_move_line line ON line.move_id = m.old_id"
    )
    cr.execute("CREATE INDEX ON bench_line_map (old_id, copy_no)")
    copy_rows(
        env,
        "account_move_line",
        "bench_line_map m JOIN account_move_line src ON src.id = m.old_id",
        {
            "id": "m.new_id",
            "move_id": "m.move_id",
            "move_name": "src.move_name || '-' || m.copy_no",
            "partner_id": "m.partner_id",
            "date": moved.format(col="date"),
            "invoice_date": moved.format(col="invoice_date"),
            "date_maturity": moved.format(col="date_maturity"),
            "full_reconcile_id": "NULL",
            "matching_number": "NULL",
        },
    )
    cr.execute(
        "CREATE TEMP TABLE bench_partial_map ON COMMIT DROP AS "
        "SELECT partial.id AS old_id, nextval('account_partial_reconcile_id_seq') AS new_id, "
        "debit.new_id AS debit_id, credit.new_id AS credit_id, debit.shift, debit.copy_no "
        "FROM account_partial_reconcile partial "
        "JOIN bench_line_map debit ON debit.old_id = partial.debit_move_id "
        "JOIN bench_line_map credit ON credit.old_id = partial.credit_move_id "
        " AND credit.copy_no = debit.copy_no"
    )
    copy_rows(
        env,
        "account_partial_reconcile",
        "bench_partial_map m JOIN account_partial_reconcile src ON src.id = m.old_id",
        {
            "id": "m.new_id",
            "debit_move_id": "m.debit_id",
            "credit_move_id": "m.credit_id",
            "full_reconcile_id": "NULL",
            "max_date": moved.format(col="max_date"),
        },
    )
    cr.execute("ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile")
    env.invalidate_all()


def main(env):
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    today = fields.Date.today()
    start = time.perf_counter()
    currencies = prepare(env)
    partners = make_partners(env)
    say(f"{len(partners)} customers in {time.perf_counter() - start:.1f} s")
    seeds = make_seeds(env, partners, currencies, today)
    say(f"{len(seeds)} seed documents through the ORM in {time.perf_counter() - start:.1f} s")
    copy_book(env, seeds, partners, today)
    env.cr.execute(
        "SELECT count(*), count(DISTINCT partner_id) FROM account_move "
        "WHERE move_type IN ('out_invoice', 'out_refund') AND state = 'posted'"
    )
    invoices, customers = env.cr.fetchone()
    env.cr.commit()
    say(
        f"book: {invoices} posted invoices and credit notes for {customers} customers "
        f"in {time.perf_counter() - start:.1f} s"
    )


main(env)  # noqa: F821 - provided by odoo shell
