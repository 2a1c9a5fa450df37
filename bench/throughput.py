"""Delivery throughput: reminders leaving through Odoo's own mail and SMS queues.

    python3 bench/throughput.py --db dunning_bench_10000 [--count 20000] [--real 1000]

On a copy of the bench database (``<db>_tp``, dropped at the end) it:

1. runs two committed dunning runs, one that queues reminder emails for the first ``--real``
   customers with overdue invoices and one that queues reminder SMS for the next ones (their
   mobile numbers set first), then copies those queued messages in SQL (new rows, each with its
   own ids) until ``--count`` emails and ``--count`` SMS wait in Odoo's queues;
2. sends the emails as Odoo's mail cron does (``mail.mail.process_email_queue``, batch after
   batch, committed) to a local SMTP sink (aiosmtpd, in its own process, counting and keeping
   every message it receives), and times it, twice on two copies of the queue: Odoo's own loop
   (``odoo_automated_dunning.mail_send_batch`` = 0) and reminder emails in batches (the
   default, ``models/mail_mail.py``); the floor is the same messages (the bytes the sink
   received, the same envelopes) sent again by a bare ``smtplib`` client over one connection to
   the same sink;
3. sends the SMS as Odoo's SMS cron does (``sms.sms._process_queue``, batch after batch) over
   HTTP to a local stand-in of the IAP SMS endpoint (``sms.endpoint`` pointed at it; it answers
   the JSON-RPC call ``/api/sms/3/send`` with ``success`` for every number, as Odoo's IAP
   service does), and times it; the floor is the same JSON-RPC payloads posted again by a bare
   ``http.client`` client over one connection.

Prints one ``BENCH {json}`` line. ``BENCH_PROFILE=1`` prints a cProfile of each Odoo queue on
stderr. The same file is the ``odoo shell`` script of steps 1 to 3 (``BENCH_STEP``).
"""

import json
import os
import sys
import time

STEP = os.environ.get("BENCH_STEP")


# ------------------------------------------------------------------ inside Odoo (odoo shell)


def _report(values):
    print("BENCH " + json.dumps(values), flush=True)  # noqa: T201


def _profiled(call):
    """Run ``call``; with BENCH_PROFILE, print where it spent its time on stderr."""
    if not os.environ.get("BENCH_PROFILE"):
        return call()
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        return call()
    finally:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)


def _copy_rows(cr, table, rows, fixed=None):
    """Copy rows of ``table``: ``rows`` are tuples (old id, new id, extra values...), one per
    copy; ``fixed`` maps a column to an SQL expression over the source row ``src`` and the
    copy's map row ``map`` (``map.new_id``, ``map.extra1``, ...)."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name != 'id' ORDER BY ordinal_position",
        (table,),
    )
    columns = [name for (name,) in cr.fetchall()]
    fixed = fixed or {}
    values = ", ".join(fixed.get(name, f'src."{name}"') for name in columns)
    names = ", ".join(f'"{name}"' for name in columns)
    arrays = [list(column) for column in zip(*rows, strict=True)]
    extra = "".join(f", extra{rank}" for rank in range(1, len(arrays) - 1))
    unnest = ", ".join(["%s::int[]"] * len(arrays))
    cr.execute(
        f"INSERT INTO {table} (id, {names}) "  # noqa: S608 - table and columns from the catalog
        f"SELECT map.new_id, {values} FROM {table} src "
        f"JOIN unnest({unnest}) AS map(old_id, new_id{extra}) ON map.old_id = src.id",
        arrays,
    )


def _new_ids(cr, table, count):
    cr.execute(f"SELECT nextval('{table}_id_seq') FROM generate_series(1, %s)", (count,))  # noqa: S608
    return [new_id for (new_id,) in cr.fetchall()]


def _spread(ids, count):
    """Old ids, repeated so that len(ids) + the copies == count."""
    missing = max(count - len(ids), 0)
    return [ids[rank % len(ids)] for rank in range(missing)] if ids else []


def _copy_mails(env, mail_ids, count):
    """Copies of the queued reminder mails (message, mail, recipients, notifications) and of
    their reminders."""
    cr = env.cr
    olds = _spread(mail_ids, count)
    if not olds:
        return
    cr.execute("SELECT id, mail_message_id FROM mail_mail WHERE id = ANY(%s)", (mail_ids,))
    message_of = dict(cr.fetchall())
    new_mails = _new_ids(cr, "mail_mail", len(olds))
    new_messages = _new_ids(cr, "mail_message", len(olds))
    _copy_rows(
        cr,
        "mail_message",
        [(message_of[old], new) for old, new in zip(olds, new_messages, strict=True)],
    )
    rows = list(zip(olds, new_mails, new_messages, strict=True))
    _copy_rows(cr, "mail_mail", rows, {"mail_message_id": "map.extra1"})
    # Their reminders too, so the copies leave as the reminder emails they are: each round of
    # copies in a run of its own (a customer has one reminder per run and channel).
    cr.execute(
        "SELECT mail_id, id, run_id FROM dunning_communication WHERE mail_id = ANY(%s)",
        (mail_ids,),
    )
    reminder_of = {mail: (reminder, run) for mail, reminder, run in cr.fetchall()}
    rounds = [rank // len(mail_ids) for rank in range(len(olds))]
    new_runs = _new_ids(cr, "dunning_run", rounds[-1] + 1)
    (run_id,) = {run for _reminder, run in reminder_of.values()}
    _copy_rows(cr, "dunning_run", [(run_id, new_run) for new_run in new_runs])
    new_reminders = _new_ids(cr, "dunning_communication", len(olds))
    _copy_rows(
        cr,
        "dunning_communication",
        [
            (reminder_of[old][0], new, new_runs[rank], mail, message)
            for old, new, rank, mail, message in zip(
                olds, new_reminders, rounds, new_mails, new_messages, strict=True
            )
        ],
        {"run_id": "map.extra1", "mail_id": "map.extra2", "mail_message_id": "map.extra3"},
    )
    arrays = [list(column) for column in zip(*rows, strict=True)]
    cr.execute(
        "INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id) "
        "SELECT map.new_id, rel.res_partner_id "
        "FROM unnest(%s::int[], %s::int[], %s::int[]) AS map(old_id, new_id, message_id) "
        "JOIN mail_mail_res_partner_rel rel ON rel.mail_mail_id = map.old_id",
        arrays,
    )
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'mail_notification'"
        " AND column_name NOT IN ('id', 'mail_mail_id', 'mail_message_id')"
    )
    columns = [name for (name,) in cr.fetchall()]
    cr.execute(
        "INSERT INTO mail_notification (mail_mail_id, mail_message_id, "  # noqa: S608
        + ", ".join(f'"{c}"' for c in columns)
        + ") SELECT map.new_id, map.message_id, "
        + ", ".join(f'notification."{c}"' for c in columns)
        + " FROM unnest(%s::int[], %s::int[], %s::int[]) AS map(old_id, new_id, message_id) "
        "JOIN mail_notification notification ON notification.mail_mail_id = map.old_id",
        arrays,
    )


def _copy_sms(env, sms_ids, count):
    olds = _spread(sms_ids, count)
    if not olds:
        return
    new_ids = _new_ids(env.cr, "sms_sms", len(olds))
    _copy_rows(
        env.cr,
        "sms_sms",
        list(zip(olds, new_ids, strict=True)),
        {"uuid": "replace(gen_random_uuid()::text, '-', '')", "sms_tracker_id": "NULL"},
    )


def queue_step(env):
    """Two committed runs queue real reminders, then copies fill the queues to the count."""
    from odoo import Command, fields  # noqa: PLC0415 - inside odoo shell only

    count, real = int(os.environ["BENCH_COUNT"]), int(os.environ["BENCH_REAL"])
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    company = env.company
    company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.write({"active": True, "company_id": company.id})
    env["ir.config_parameter"].set_param("odoo_automated_dunning.sync_customer_limit", 10**9)
    today = fields.Date.today()
    overdue = env["dunning.facts"]._overdue_partner_ids(company, today)
    half = min(real, len(overdue) // 2)  # a small book: half by email, half by SMS
    by_email, by_sms = overdue[:half], overdue[half : 2 * half]
    started = time.perf_counter()
    email_run = env["dunning.run"].create(
        {"date": today, "company_id": company.id, "partner_ids": [Command.set(by_email)]}
    )
    email_run.action_run()
    env.cr.commit()
    # The SMS run: every level by SMS, the customers with a mobile number.
    sms_templates = [
        env.ref(f"odoo_automated_dunning.sms_template_dunning_{tone}")
        for tone in ("friendly", "persuasive", "formal", "final")
    ]
    for rank, level in enumerate(policy.level_ids.sorted("sequence")):
        level.write(
            {
                "sms_template_id": sms_templates[min(rank, 3)].id,
                "channel_ids": [Command.clear(), Command.create({"channel": "sms"})],
            }
        )
    partners = env["res.partner"].browse(by_sms)
    for partner in partners:
        partner.phone = f"+3247{partner.id % 10**7:07d}"
    sms_run = env["dunning.run"].create(
        {"date": today, "company_id": company.id, "partner_ids": [Command.set(by_sms)]}
    )
    sms_run.action_run()
    env.cr.commit()
    queued = time.perf_counter() - started
    mail_ids = email_run.communication_ids.filtered(lambda c: c.state == "queued").mail_id.ids
    sms_ids = sms_run.communication_ids.filtered(lambda c: c.state == "queued").sms_id.ids
    _copy_mails(env, mail_ids, count)
    _copy_sms(env, sms_ids, count)
    env.cr.commit()
    _report(
        {
            "real_mails": len(mail_ids),
            "real_sms": len(sms_ids),
            "queued_seconds": round(queued, 1),
            "mails": env["mail.mail"].search_count([("state", "=", "outgoing")]),
            "sms": env["sms.sms"].search_count([("state", "=", "outgoing")]),
        }
    )


def _drain(queue, outgoing, limit_seconds):
    """Call ``queue`` as its cron would, batch after batch, until nothing is outgoing."""
    batches = 0
    deadline = time.monotonic() + limit_seconds
    while outgoing() and time.monotonic() < deadline:
        queue()
        batches += 1
    return batches


def mail_step(env):
    port = int(os.environ["BENCH_SMTP_PORT"])
    env["ir.mail_server"].search([]).write({"active": False})
    env["ir.mail_server"].create(
        {
            "name": "bench sink",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_encryption": "none",
            "sequence": 1,
        }
    )
    # 0: Odoo's own loop, a transaction per mail; else reminders in batches (mail_mail.py).
    batch = os.environ.get("BENCH_MAIL_BATCH")
    if batch is not None:
        env["ir.config_parameter"].set_param("odoo_automated_dunning.mail_send_batch", batch)
    env.cr.commit()
    Mail = env["mail.mail"]
    _measure_queue(env, Mail.process_email_queue, Mail, [("state", "=", "outgoing")], "mail")


def sms_step(env):
    env["ir.config_parameter"].set_param("sms.endpoint", os.environ["BENCH_SMS_URL"])
    env["iap.account"].get("sms")  # the account Odoo creates on first use
    env.cr.commit()
    Sms = env["sms.sms"]
    outgoing = [("state", "=", "outgoing"), ("to_delete", "!=", True)]
    _measure_queue(env, Sms._process_queue, Sms, outgoing, "sms")


def _measure_queue(env, process, Model, outgoing, kind):
    """Drain one of Odoo's queues as its cron does (a commit after each call) and report how
    long it took, the states it left and how many reminders it settled as sent."""
    from odoo.tools import SQL  # noqa: PLC0415 - run inside odoo shell only

    before = Model.search_count(outgoing)
    start = time.perf_counter()
    batches = _profiled(
        lambda: _drain(
            lambda: (process(), env.cr.commit()),
            lambda: Model.search_count(outgoing),
            float(os.environ.get("BENCH_LIMIT_SECONDS", "600")),
        )
    )
    seconds = time.perf_counter() - start
    env.cr.execute(
        SQL("SELECT state, count(*) FROM %s GROUP BY state", SQL.identifier(Model._table))
    )
    states = dict(env.cr.fetchall())
    env.cr.execute(
        SQL(
            "SELECT count(*) FROM dunning_communication WHERE %s IS NOT NULL AND state = 'sent'",
            SQL.identifier(f"{kind}_id"),
        )
    )
    _report(
        {
            "queued": before,
            "seconds": round(seconds, 3),
            "batches": batches,
            "states_after": states,
            "reminders_sent": env.cr.fetchone()[0],
        }
    )


if STEP and "env" in globals():  # odoo shell
    {"queue": queue_step, "mail": mail_step, "sms": sms_step}[STEP](env)  # noqa: F821


# ------------------------------------------------------------------ outside Odoo (the driver)


def _smtp_sink(port, path, counter, ready):
    """A local SMTP server that accepts every message, counts it and appends it to ``path``."""
    import asyncio  # noqa: PLC0415
    import pickle  # noqa: PLC0415

    from aiosmtpd.controller import Controller  # noqa: PLC0415

    out = open(path, "ab")  # noqa: SIM115 - open for the process's life

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
            pickle.dump((envelope.mail_from, envelope.rcpt_tos, envelope.original_content), out)
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


def _sms_standin(port, path, counter, ready):
    """A local stand-in of the IAP SMS service: ``/api/sms/3/send`` answers ``success`` for
    every number of the JSON-RPC call, counts them and keeps each request body."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: PLC0415

    out = open(path, "ab")  # noqa: SIM115 - open for the process's life

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            out.write(len(body).to_bytes(8, "big") + body)
            call = json.loads(body)
            numbers = [
                number for message in call["params"]["messages"] for number in message["numbers"]
            ]
            with counter.get_lock():
                counter.value += len(numbers)
            result = [{"uuid": n["uuid"], "state": "success", "credit": 1} for n in numbers]
            answer = json.dumps({"jsonrpc": "2.0", "id": call.get("id"), "result": result})
            data = answer.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    ready.set()
    server.serve_forever()


def _start(target, port, path):
    import multiprocessing  # noqa: PLC0415

    context = multiprocessing.get_context("spawn")
    counter, ready = context.Value("q", 0), context.Event()
    process = context.Process(target=target, args=(port, str(path), counter, ready), daemon=True)
    process.start()
    if not ready.wait(30):
        process.kill()
        raise SystemExit(f"{target.__name__} did not start")
    return process, counter


def _read_captured_mails(path):
    import pickle  # noqa: PLC0415

    messages = []
    with open(path, "rb") as stream:
        while True:
            try:
                messages.append(pickle.load(stream))  # noqa: S301 - our own file
            except EOFError:
                return messages


def _read_captured_calls(path):
    calls = []
    with open(path, "rb") as stream:
        while size := stream.read(8):
            calls.append(stream.read(int.from_bytes(size, "big")))
    return calls


def _wait_count(counter, expected, seconds=30):
    deadline = time.monotonic() + seconds
    while counter.value < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return counter.value


def smtp_floor(port, messages, counter):
    """The same messages by a bare smtplib client over one connection."""
    import smtplib  # noqa: PLC0415

    before = counter.value
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for mail_from, rcpt_tos, content in messages:
            client.sendmail(mail_from, rcpt_tos, content)
    received = _wait_count(counter, before + len(messages)) - before
    return {"seconds": round(time.perf_counter() - start, 3), "received": received}


def http_floor(port, calls, counter):
    """The same JSON-RPC payloads by a bare http.client over one connection."""
    import http.client  # noqa: PLC0415

    before = counter.value
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for body in calls:
        connection.request("POST", "/api/sms/3/send", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"the SMS stand-in answered {answer.status}")
    connection.close()
    received = counter.value - before
    return {"seconds": round(time.perf_counter() - start, 3), "received": received}


def measure(
    odoo, shell, db, log, count=20000, real=1000, workdir=None, profile=False, limit_seconds=240
):
    """The whole phase on a copy of ``db``; returns its figures. ``shell(db, script, env,
    log)`` runs this file in ``odoo shell`` and returns its BENCH json."""
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from _odoo_env import drop_database, free_port  # noqa: PLC0415

    script = Path(__file__).resolve()
    profiling = {"BENCH_PROFILE": "1"} if profile else {}
    profiling["BENCH_LIMIT_SECONDS"] = str(limit_seconds)
    copy, batched = f"{db}_tp", f"{db}_tpb"
    drop_database(copy)
    drop_database(batched)
    createdb_from(copy, db)
    processes = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        try:
            queued = shell(
                copy,
                script,
                {"BENCH_STEP": "queue", "BENCH_COUNT": str(count), "BENCH_REAL": str(real)},
                log,
            )
            smtp_port, http_port = free_port(), free_port()
            sink, mails_in = _start(_smtp_sink, smtp_port, Path(tmp, "mails.bin"))
            standin, sms_in = _start(_sms_standin, http_port, Path(tmp, "sms.bin"))
            processes += [sink, standin]
            # The same queue twice, on two copies: Odoo's own loop (a transaction per mail),
            # then reminders in batches (mail_mail.py); the floor resends what the first sent.
            createdb_from(batched, copy)
            mail = shell(
                copy,
                script,
                {
                    "BENCH_STEP": "mail",
                    "BENCH_SMTP_PORT": str(smtp_port),
                    "BENCH_MAIL_BATCH": "0",
                    **profiling,
                },
                log,
            )
            mail["received"] = _wait_count(mails_in, mail["queued"])
            captured = _read_captured_mails(Path(tmp, "mails.bin"))
            before = mails_in.value
            mail["batched"] = shell(
                batched,
                script,
                {"BENCH_STEP": "mail", "BENCH_SMTP_PORT": str(smtp_port), **profiling},
                log,
            )
            mail["batched"]["received"] = (
                _wait_count(mails_in, before + mail["batched"]["queued"]) - before
            )
            mail["floor"] = smtp_floor(smtp_port, captured, mails_in)
            sms = shell(
                copy,
                script,
                {
                    "BENCH_STEP": "sms",
                    "BENCH_SMS_URL": f"http://127.0.0.1:{http_port}",
                    **profiling,
                },
                log,
            )
            sms["received"] = sms_in.value
            calls = _read_captured_calls(Path(tmp, "sms.bin"))
            sms["floor"] = http_floor(http_port, calls, sms_in)
            sms["calls"] = len(calls)
        finally:
            for process in processes:
                process.kill()
                process.join(10)
            drop_database(copy)
            drop_database(batched)
    mail["batched"]["floor"] = mail["floor"]
    for result in (mail, mail["batched"], sms):
        floor = result["floor"]
        result["per_second"] = round(result["received"] / max(result["seconds"], 1e-3), 1)
        floor["per_second"] = round(floor["received"] / max(floor["seconds"], 1e-3), 1)
        result["floor_ratio"] = round(floor["per_second"] / max(result["per_second"], 0.1), 1)
    mail["batched"]["speedup"] = round(
        mail["batched"]["per_second"] / max(mail["per_second"], 0.1), 1
    )
    return {"queue": queued, "email": mail, "sms": sms}


def results_lines(rows, count):
    """The RESULTS.md section of this phase, for each size measured."""
    lines = [
        f"{count:,} reminder emails through Odoo's mail queue (`mail.mail.process_email_queue`, "
        f"batch after batch as its cron) to a local SMTP sink, and {count:,} reminder SMS through "
        "its SMS queue (`sms.sms._process_queue`) over HTTP to a local stand-in of the IAP SMS "
        "service; the floor is the same messages (the bytes the sink received, the same JSON-RPC "
        "payloads) sent by a bare client over one connection to the same stand-in, in the same "
        "run. The emails are sent twice, on two copies of the same queue: by Odoo's own loop "
        "(a transaction per mail; `odoo_automated_dunning.mail_send_batch` = 0) and by this "
        "addon's batches of reminder emails (`models/mail_mail.py`). Each queue has a time cap; "
        "what it sent in that time is what is counted (and what the floor sends again). "
        "`bench/throughput.py`; where the time goes: `bench/README.md`.",
        "",
        "| invoices / customers | channel | sent by Odoo's queue | Odoo's queue | messages/s | "
        "floor | floor messages/s | floor / Odoo |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, results in rows:
        result = results.get("throughput")
        if not result:
            continue
        for label, r in (
            ("email (SMTP), Odoo's own loop", result["email"]),
            ("email (SMTP), reminders in batches", result["email"].get("batched")),
            ("SMS (IAP JSON-RPC)", result["sms"]),
        ):
            if not r:
                continue
            lines.append(
                f"| {size:,} / {results['customers']:,} | {label} | {r['received']:,} of "
                f"{r['queued']:,} | {r['seconds']} s | {r['per_second']} | "
                f"{r['floor']['seconds']} s | {r['floor']['per_second']} | {r['floor_ratio']}x |"
            )
    queued = [(size, r["throughput"]["queue"]) for size, r in rows if r.get("throughput")]
    if queued:
        lines += [
            "",
            "Queued by real dunning runs first, then copied in SQL up to the count: "
            + "; ".join(
                f"{size:,} invoices: {q['real_mails']:,} emails and {q['real_sms']:,} SMS"
                for size, q in queued
            )
            + ".",
        ]
    return lines


def createdb_from(name, template, seconds=20):
    """A copy of ``template`` (``CREATE DATABASE ... TEMPLATE``), waiting for the sessions of
    a process that just ended on it; if other sessions stay (another Odoo server on this
    machine listing every database keeps one open), a copy through pg_dump instead."""
    import subprocess  # noqa: PLC0415

    import psycopg2  # noqa: PLC0415 - Odoo's own dependency
    from psycopg2 import errors  # noqa: PLC0415

    deadline = time.monotonic() + seconds
    connection = psycopg2.connect(dbname="postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            while True:
                try:
                    cr.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    return
                except errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.5)
            cr.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    dump = subprocess.Popen(["pg_dump", "--no-owner", template], stdout=subprocess.PIPE)
    subprocess.run(
        ["psql", "--quiet", "--set=ON_ERROR_STOP=1", "--output=/dev/null", name],
        stdin=dump.stdout,
        check=True,
    )
    dump.stdout.close()
    if dump.wait():
        raise SystemExit(f"pg_dump {template} failed")


def main(argv):
    import argparse  # noqa: PLC0415

    from _measure import load_bench_run  # noqa: PLC0415 - bench/_measure.py

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--real", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile of both Odoo queues")
    options = parser.parse_args(argv)
    bench_run = load_bench_run()
    odoo = bench_run.find_odoo()
    bench_run.LOGS.mkdir(parents=True, exist_ok=True)
    log = bench_run.LOGS / f"{options.db}_throughput.log"
    result = measure(
        odoo,
        lambda db, script, extra, log: bench_run.shell(odoo, db, script, extra, log),
        options.db,
        log,
        options.count,
        options.real,
        profile=options.profile,
    )
    print(json.dumps(result, indent=1))  # noqa: T201
    return 0


if __name__ == "__main__" and not STEP:
    sys.exit(main(sys.argv[1:]))
