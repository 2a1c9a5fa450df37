#!/usr/bin/env python3
"""How close are the predicted payment dates? A synthetic history, no database.

    bench/predict_accuracy.py [--customers 400] [--seed 7] [--no-write]

Builds three years of invoices for customers with known habits (seeded random):

- prompt: pay around the due date, a few days early or late;
- steady late: always about the same number of days late (10 to 45);
- erratic: around a usual delay with a wide spread, and now and then very late (a dispute,
  a lost invoice);
- worsening: paying 10 to 25 days later each year;
- new: customers who started in the last four months (little or no history).

It stands on the first day of the last quarter, predicts the payment date of every invoice open
then or issued during the quarter with core/predict.py from the payments made before that day
(the company's habit from all customers' payments), and compares with the dates the customers
actually paid (known for every invoice, as the history is synthetic). It prints the mean
absolute error in days of our prediction and of two naive baselines: the due date, and the
due date plus the customer's plain average delay over all its past payments (the due date
without history). With --write (the default) it replaces its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import random
import re
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# Only the functional core, without Odoo: the addon folder stands as a namespace package (as
# tests/conftest.py does), so importing it runs the core's __init__ and nothing of the models.
_spec = importlib.machinery.ModuleSpec("odoo_automated_dunning", None, is_package=True)
_spec.submodule_search_locations = [str(BENCH.parent / "odoo_automated_dunning")]
sys.modules.setdefault("odoo_automated_dunning", importlib.util.module_from_spec(_spec))

from odoo_automated_dunning.core import predict  # noqa: E402

START = date(2023, 1, 1)
END = date(2025, 12, 31)
CUTOFF = END - timedelta(days=91)  # predictions are made on this day
TERMS = 30
KINDS = ("prompt", "steady late", "erratic", "worsening", "new")
SECTION = "## Predicted payment dates: accuracy (`bench/predict_accuracy.py`)"
MARK_START = "<!-- predict_accuracy:start -->"
MARK_END = "<!-- predict_accuracy:end -->"


def _delay(rng, kind, params, issued):
    if kind == "prompt":
        return round(rng.gauss(params["base"], 2.5))
    if kind == "steady late":
        return round(rng.gauss(params["base"], 4))
    if kind == "erratic":
        if rng.random() < 0.15:
            return round(params["base"] + rng.expovariate(1 / 60))
        return round(rng.gauss(params["base"], 12))
    if kind == "worsening":
        years = (issued - params["since"]).days / 365
        return round(params["base"] + params["slope"] * years + rng.gauss(0, 4))
    return round(rng.gauss(params["base"], 6))  # new: a steady habit of its own


def build(customers, seed):
    """[(customer, kind, due, paid, amount, issued)] for every invoice of the history."""
    rng = random.Random(seed)
    invoices = []
    for customer in range(customers):
        kind = KINDS[customer % len(KINDS)]
        since = START + timedelta(days=rng.randrange(0, 120))
        if kind == "new":
            since = CUTOFF - timedelta(days=rng.randrange(0, 120))
        params = {
            "since": since,
            "base": {
                "prompt": rng.uniform(-5, 2),
                "steady late": rng.uniform(10, 45),
                "erratic": rng.uniform(0, 30),
                "worsening": rng.uniform(0, 10),
                "new": rng.uniform(-3, 30),
            }[kind],
            "slope": rng.uniform(10, 25),
        }
        scale = rng.lognormvariate(7, 1)
        issued = since
        while issued <= END:
            due = issued + timedelta(days=TERMS)
            paid = due + timedelta(days=max(_delay(rng, kind, params, issued), -TERMS))
            amount = round(scale * rng.lognormvariate(0, 0.5), 2)
            invoices.append((customer, kind, due, paid, amount, issued))
            issued += timedelta(days=rng.randrange(7, 40))
    return invoices


def measure(invoices):
    """{kind or 'all': (count, our MAE, due-date MAE, plain-average MAE)}."""
    history = defaultdict(list)
    for customer, _kind, due, paid, amount, _issued in invoices:
        if paid < CUTOFF:
            history[customer].append(predict.PaidInvoice(due, paid, amount))
    company = predict.habit([p for ps in history.values() for p in ps], CUTOFF, "company")
    targets = [
        row for row in invoices if row[5] <= END - timedelta(days=TERMS) and row[3] >= CUTOFF
    ]
    errors = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    by_customer = defaultdict(list)
    for row in targets:
        by_customer[row[0]].append(row)
    for customer, rows in by_customer.items():
        past = history.get(customer, [])
        usual = predict.blend(predict.habit(past, CUTOFF), company)
        open_invoices = [
            predict.OpenInvoice(index, due, amount)
            for index, (_c, _k, due, _paid, amount, _i) in enumerate(rows)
        ]
        ours = predict.predict(open_invoices, usual, CUTOFF)
        plain = sum(p.delay for p in past) / len(past) if past else 0.0
        for index, (_c, kind, due, paid, _amount, _issued) in enumerate(rows):
            for key in (kind, "all"):
                entry = errors[key]
                entry[0] += 1
                entry[1] += abs((ours[index].date - paid).days)
                entry[2] += abs((due - paid).days)
                entry[3] += abs((due + timedelta(days=round(plain)) - paid).days)
    return {
        key: (count, ours / count, by_due / count, by_plain / count)
        for key, (count, ours, by_due, by_plain) in errors.items()
    }


def report(results, customers, invoice_count, seed):
    lines = [
        SECTION,
        "",
        MARK_START,
        f"Synthetic history of {customers} customers and {invoice_count:,} invoices "
        f"({START} to {END}, {TERMS}-day terms, seed {seed}); predictions made on {CUTOFF} "
        "for the invoices open then or issued in the last quarter, from the payments before it. "
        "Mean absolute error in days against the actual payment date (lower is better). "
        "Reproduce with `bench/predict_accuracy.py`; see `bench/README.md`.",
        "",
        "| kind of customer | invoices predicted | ours | due date | customer's plain average delay |",
        "|---|---|---|---|---|",
    ]
    for key in ("all", *KINDS):
        count, ours, by_due, by_plain = results[key]
        lines.append(f"| {key} | {count:,} | {ours:.1f} | {by_due:.1f} | {by_plain:.1f} |")
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def write(section):
    path = BENCH / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(
        re.escape(SECTION) + r"\n.*?" + re.escape(MARK_END) + r"\n", flags=re.DOTALL
    )
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    invoices = build(args.customers, args.seed)
    results = measure(invoices)
    section = report(results, args.customers, len(invoices), args.seed)
    print(section)
    all_count, ours, by_due, by_plain = results["all"]
    if not args.no_write:
        write(section)
        print(f"Wrote {BENCH / 'RESULTS.md'}")
    if not ours < min(by_due, by_plain):
        print("Our prediction does not beat both baselines.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
