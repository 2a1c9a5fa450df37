"""Workers in parallel: one dunning run by the single cron process, and by queue_job's job
runner on an Odoo server with 2 workers; then a worker killed mid-batch.

    python3 bench/workers.py --db dunning_bench_10000 [--kill-customers 1000]

The bench database gets OCA's queue_job (from PyPI, as scripts/test installs it, into
``.test-addons/``) and with it our bridge addon, in a template copy ``<db>_wk``; each measure
runs on its own fresh copy of that template (``createdb -T``), all dropped at the end:

- ``cron``: the daily cron's method (``dunning.run._cron_run_dunning``) with the bridge turned
  off (``odoo_automated_dunning.use_queue_job`` = 0): today's run over the whole book, emails
  rendered and queued, batch after batch in one process, as without queue_job;
- ``workers``: the same cron method with the bridge on enqueues one job per batch; an Odoo
  server started with ``--workers=2``, ``server_wide_modules=web,queue_job`` and
  ``[queue_job] channels=root:2`` runs them (its job runner process calls
  ``/queue_job/runjob`` on the workers); timed from the cron call, as the single process is,
  until the run is done and no job is left. Each worker runs in a session of its own
  (``--shared-session``: as before, all in the server's): Linux's autogroup scheduler shares
  the CPU between sessions, so on a busy machine two workers in one session got together the
  share of the one cron process. The driver samples the jobs meanwhile (a timeline: when each
  was seen enqueued, started, done, by which worker), the database's backends (lock waits)
  and the workers' threads; ``--kill-customers 0`` leaves out the kill run;
- ``kill``: a run for the first ``--kill-customers`` customers in batches of 100, as jobs on
  such a server; once a job has started and another is done, the worker running it (the
  ``worker_pid`` queue_job records) is killed with SIGKILL; queue_job finds the job dead
  and runs it again.

Each is checked: every customer due got one reminder and one mail, none two; the parallel run
reminds the same customers as the single process. Prints one ``BENCH {json}`` line. The same
file is the ``odoo shell`` script of the steps inside Odoo (``BENCH_STEP``).
"""

import contextlib
import json
import os
import sys
import threading
import time

STEP = os.environ.get("BENCH_STEP")


# ------------------------------------------------------------------ inside Odoo (odoo shell)


def _report(values):
    print("BENCH " + json.dumps(values), flush=True)  # noqa: T201


def setup_step(env):
    """The company and policy as bench/ours.py sets them, committed in the template."""
    company = env.company
    company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.write({"active": True, "company_id": company.id})
    env["ir.config_parameter"].set_param("odoo_automated_dunning.sync_customer_limit", 10**9)
    env.cr.commit()
    _report({"bridge": "jobs_enqueued" in env["dunning.run"]._fields})


def cron_step(env):
    """The daily cron's method, in this process: with use_queue_job 0, the whole run here;
    with 1, it enqueues the batches as jobs and returns."""
    params = env["ir.config_parameter"]
    params.set_param("odoo_automated_dunning.use_queue_job", os.environ["BENCH_USE_QUEUE_JOB"])
    env.cr.commit()
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    started_epoch = time.time()  # the parallel run is timed from here to its end
    start, cpu = time.perf_counter(), time.process_time()
    env["dunning.run"]._cron_run_dunning()
    env.cr.commit()
    cpu = time.process_time() - cpu
    run = env["dunning.run"].search([("partner_ids", "=", False)], order="id desc", limit=1)
    _report(
        {
            "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(cpu, 3),
            "started_epoch": started_epoch,
            "run": run.id,
            "state": run.state,
            "customers": run.customer_count,
        }
    )


def kill_run_step(env):
    """A run for the first N customers with overdue invoices, in batches of 100, as jobs."""
    from odoo import Command, fields  # noqa: PLC0415 - inside odoo shell only

    env["ir.config_parameter"].set_param("odoo_automated_dunning.batch_size", 100)
    company = env.company
    today = fields.Date.today()
    overdue = env["dunning.facts"]._overdue_partner_ids(company, today)
    limit = int(os.environ["BENCH_KILL_CUSTOMERS"])
    run = env["dunning.run"].create(
        {"date": today, "company_id": company.id, "partner_ids": [Command.set(overdue[:limit])]}
    )
    run.write({"state": "running", "started_at": fields.Datetime.now()})
    env.cr.commit()
    run.with_company(company)._dispatch_batches()
    env.cr.commit()
    _report({"run": run.id, "customers": run.customer_count, "jobs": run.jobs_enqueued})


def check_step(env):
    """Reminders and mails per customer of the run; the customers due, as the facts see them."""
    run = env["dunning.run"].browse(int(os.environ["BENCH_RUN"]))
    cr = env.cr
    cr.execute(
        "SELECT partner_id, count(*) FROM dunning_communication WHERE run_id = %s "
        "GROUP BY partner_id",
        (run.id,),
    )
    reminders = dict(cr.fetchall())
    cr.execute(
        "SELECT message.res_id, count(*) FROM mail_mail mail "
        "JOIN mail_message message ON message.id = mail.mail_message_id "
        "WHERE message.model = 'res.partner' AND message.res_id = ANY(%s) "
        "GROUP BY message.res_id",
        (list(reminders),),
    )
    mails = dict(cr.fetchall())
    # A run for given customers: each of them is due. The whole book's run: compared with the
    # single process's run on the same book by the driver (the same customers, by hash).
    due = set(run.partner_ids.ids) if run.partner_ids else None
    jobs = {}
    if "queue.job" in env:
        cr.execute(
            "SELECT state, count(*), COALESCE(sum(retry), 0) FROM queue_job "
            "WHERE model_name = 'dunning.run' GROUP BY state"
        )
        jobs = {
            state: {"count": count, "retries": retries} for state, count, retries in cr.fetchall()
        }
    _report(
        {
            "state": run.state,
            "customers": run.customer_count,
            "customers_done": run.customer_done_count,
            "reminded": len(reminders),
            "reminded_twice": sum(1 for n in reminders.values() if n > 1),
            "mails": sum(mails.values()),
            "mailed_twice": sum(1 for n in mails.values() if n > 1),
            "not_mailed": len(set(reminders) - set(mails)),
            "missing": len(due - set(reminders)) if due is not None else None,
            "partners_hash": hash(tuple(sorted(reminders))) & 0xFFFFFFFF,
            "jobs": jobs,
        }
    )


STEPS = {"setup": setup_step, "cron": cron_step, "kill_run": kill_run_step, "check": check_step}
if STEP and "env" in globals():  # odoo shell
    STEPS[STEP](env)  # noqa: F821


# ------------------------------------------------------------------ outside Odoo (the driver)


def _sql(db, query, args=()):
    import psycopg2  # noqa: PLC0415 - Odoo's own dependency

    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cr:
            cr.execute(query, args)
            return cr.fetchall() if cr.description else None
    finally:
        connection.close()


LAUNCHER = """import os
import sys
import time

if sys.argv[1:2] == ["gevent"]:
    # The prefork server starts its websocket process as `<python> <this script> gevent`.
    # gevent is not installed here and nothing here needs the websocket: stand in for it.
    while True:
        time.sleep(3600)
if os.environ.get("BENCH_WORKER_SESSIONS") != "0":
    # Each worker in a session of its own: Linux's autogroup scheduler shares the CPU between
    # sessions, so workers sharing the server's session would together get one process's share.
    os.register_at_fork(after_in_child=os.setsid)
import odoo.cli

odoo.cli.main()
"""


class Server:
    """An Odoo server with 2 workers and queue_job's job runner on one database."""

    def __init__(self, odoo, db, addons_path, workdir, log, free_port, db_args, sessions=True):
        import subprocess  # noqa: PLC0415
        from pathlib import Path  # noqa: PLC0415

        self.db, self.port = db, free_port()
        config = Path(workdir, f"{db}.conf")
        config.write_text(
            "[options]\n"
            f"addons_path = {addons_path}\n"
            f"db_name = {db}\n"
            f"dbfilter = ^{db}$\n"
            "http_interface = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            "workers = 2\n"
            "max_cron_threads = 0\n"
            "server_wide_modules = web,queue_job\n"
            "limit_time_real = 1800\n"
            "limit_time_cpu = 1800\n"
            "log_level = info\n"
            f"data_dir = {Path(workdir, 'data')}\n"
            "\n[queue_job]\n"
            "channels = root:2\n",
            encoding="utf-8",
        )
        launcher = Path(workdir, "odoo_launcher.py")
        launcher.write_text(LAUNCHER, encoding="utf-8")
        self.out = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, str(launcher), "server", f"--config={config}", *db_args],
            stdout=self.out,
            stderr=self.out,
            env=odoo.child_env({"BENCH_WORKER_SESSIONS": "1" if sessions else "0"}),
            start_new_session=True,
        )

    def wait_ready(self, seconds=120):
        import urllib.request  # noqa: PLC0415

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the Odoo server on {self.db} exited: see the log")
            try:
                urllib.request.urlopen(  # noqa: S310 - our own local server
                    f"http://127.0.0.1:{self.port}/web/login", timeout=5
                )
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"the Odoo server on {self.db} did not answer")

    def workers(self):
        """PIDs of the server's child processes (its HTTP workers and the job runner)."""
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
                if parent == self.process.pid:
                    children.append(int(entry))
        return children

    def stop(self):
        import signal  # noqa: PLC0415
        import subprocess  # noqa: PLC0415

        # Its workers have sessions of their own (LAUNCHER): the server's group misses them.
        children = self.workers()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Leftover children of this server's session (it was started in its own).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.out.close()


def _cpu_seconds(pids):
    """{pid: user + system CPU seconds} of the processes still there."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return cpu


class Timeline:
    """What the driver sees at each tick of the parallel run: when each job was first seen in
    each state (and attempt), by which worker, and which statements waited on a lock."""

    def __init__(self, db, pids):
        self.db, self.pids = db, pids
        self.seen, self.lock_waits, self.backends, self.states = {}, {}, {}, {}

    def tick(self):
        now = time.time()
        for pid in self.pids():
            # Each thread (a worker serves requests in a thread of its own): R on a CPU or
            # waiting for one, S waiting (for PostgreSQL, a request), D for the disk.
            with contextlib.suppress(OSError):
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/stat", encoding="utf-8") as stat:
                        state = stat.read().rsplit(")", 1)[1].split()[0]
                    if state != "S":
                        self.states[state] = self.states.get(state, 0) + 1
        rows = _sql(
            self.db,
            "SELECT uuid, state, retry, worker_pid FROM queue_job WHERE model_name = 'dunning.run'",
        )
        for uuid, state, retry, pid in rows:
            self.seen.setdefault((uuid, state, retry), (now, pid))
        for app, state, wait, query in _sql(
            self.db,
            "SELECT application_name, state, wait_event_type || ':' || wait_event, "
            "left(regexp_replace(query, '\\s+', ' ', 'g'), 100) FROM pg_stat_activity "
            "WHERE datname = %s AND pid != pg_backend_pid()",
            (self.db,),
        ):
            key = f"{app} {state} {wait or ''}"
            self.backends[key] = self.backends.get(key, 0) + 1
            if wait and wait.startswith("Lock"):
                self.lock_waits[query] = self.lock_waits.get(query, 0) + 1

    def events(self, start):
        """[(seconds from ``start``, job, state, attempt, worker)] in time order."""
        jobs = {}
        for uuid, *_rest in sorted(self.seen, key=self.seen.get):
            jobs.setdefault(uuid, f"job {len(jobs) + 1}")
        return sorted(
            (round(at - start, 2), jobs[uuid], state, retry, pid)
            for (uuid, state, retry), (at, pid) in self.seen.items()
        )


def _run_over(db, run_id):
    """The run is done and no job of it is left to do."""
    (state,) = _sql(db, "SELECT state FROM dunning_run WHERE id = %s", (run_id,))[0]
    left = _sql(
        db,
        "SELECT count(*) FROM queue_job WHERE model_name = 'dunning.run' "
        "AND state NOT IN ('done', 'failed', 'cancelled')",
    )[0][0]
    return state == "done" and not left


def _wait_done(db, run_id, seconds, on_tick=None):
    """Wait until the run is done and no job of it is left to do; returns the seconds."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if _run_over(db, run_id):
            return time.monotonic() - start
        if on_tick:
            on_tick()
        time.sleep(0.1)
    return None


def measure(odoo, shell, db, log, kill_customers=1000, timeout=900, workdir=None, sessions=True):
    """The whole phase on copies of ``db``; returns its figures. ``shell(db, script, env,
    log, addons_path)`` runs this file in ``odoo shell`` and returns its BENCH json."""
    import importlib.machinery  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo / "scripts"))
    sys.path.insert(0, str(repo / "bench"))
    from _odoo_env import drop_database, free_port, odoo_db_args  # noqa: PLC0415
    from throughput import createdb_from  # noqa: PLC0415 - bench/throughput.py

    # queue_job from PyPI into .test-addons/, as scripts/test does.
    loader = importlib.machinery.SourceFileLoader("scripts_test", str(repo / "scripts" / "test"))
    spec = importlib.util.spec_from_loader("scripts_test", loader)
    scripts_test = importlib.util.module_from_spec(spec)
    sys.modules["scripts_test"] = scripts_test  # its dataclasses look their module up
    loader.exec_module(scripts_test)
    fetched = scripts_test.Outcome("fetch")
    if "queue_job" not in scripts_test.fetch_oca_addons(fetched):
        return {"skipped": "; ".join(fetched.notes + fetched.problems)}
    addons_path = f"{repo},{repo / 'bench' / '.oca' / 'addons'},{scripts_test.OCA_DIR}"
    script = Path(__file__).resolve()
    template = f"{db}_wk"
    copies = {name: f"{db}_wk_{name}" for name in ("cron", "workers", "kill")}
    result = {}
    servers = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        try:
            for name in (template, *copies.values()):
                drop_database(name)
            createdb_from(template, db)
            with open(log, "a", encoding="utf-8") as out:
                subprocess.run(
                    odoo.command(
                        "server",
                        f"--database={template}",
                        f"--addons-path={addons_path}",
                        "--init=queue_job",
                        "--stop-after-init",
                        "--no-http",
                        "--log-level=warn",
                        *odoo_db_args(),
                    ),
                    stdout=out,
                    stderr=out,
                    env=odoo.child_env(),
                    check=True,
                    timeout=600,
                )
            setup = shell(template, script, {"BENCH_STEP": "setup"}, log, addons_path)
            if not setup["bridge"]:
                raise SystemExit("the queue_job bridge addon did not install with queue_job")
            for name in copies.values():
                createdb_from(name, template)

            # (a) the single cron process
            cron = shell(
                copies["cron"],
                script,
                {"BENCH_STEP": "cron", "BENCH_USE_QUEUE_JOB": "0"},
                log,
                addons_path,
            )
            cron["check"] = shell(
                copies["cron"],
                script,
                {"BENCH_STEP": "check", "BENCH_RUN": str(cron["run"])},
                log,
                addons_path,
            )
            result["cron"] = cron

            # (b) queue_job's runner and 2 workers
            server = Server(
                odoo,
                copies["workers"],
                addons_path,
                tmp,
                log,
                free_port,
                odoo_db_args(),
                sessions,
            )
            servers.append(server)
            server.wait_ready()
            # The cron call runs in its own process (odoo shell) while the driver watches the
            # jobs; the run is timed from the cron call, as the single process is.
            timeline = Timeline(copies["workers"], server.workers)
            cpu_before = _cpu_seconds(server.workers())
            enqueued = {}
            caller = threading.Thread(
                target=lambda: enqueued.update(
                    shell(
                        copies["workers"],
                        script,
                        {"BENCH_STEP": "cron", "BENCH_USE_QUEUE_JOB": "1"},
                        log,
                        addons_path,
                    )
                )
            )
            caller.start()
            done_at = None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                timeline.tick()
                if not caller.is_alive() and _run_over(copies["workers"], enqueued["run"]):
                    done_at = time.time()
                    break
                time.sleep(0.1)
            caller.join()
            cpu_after = _cpu_seconds(server.workers())
            start = enqueued["started_epoch"]
            workers = {
                "seconds": round(done_at - start, 3) if done_at else None,
                "enqueue_seconds": enqueued["seconds"],
                "run": enqueued["run"],
                "server_cpu_seconds": round(
                    sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after), 2
                ),
                "timeline": timeline.events(start),
                "lock_waits": timeline.lock_waits,
                "backends": timeline.backends,
                "worker_states": timeline.states,
            }
            server.stop()
            workers["check"] = shell(
                copies["workers"],
                script,
                {"BENCH_STEP": "check", "BENCH_RUN": str(enqueued["run"])},
                log,
                addons_path,
            )
            result["workers"] = workers
            if workers["seconds"]:
                result["speedup"] = round(cron["seconds"] / workers["seconds"], 2)

            # (c) a worker killed mid-batch
            if not kill_customers:
                return result
            server = Server(odoo, copies["kill"], addons_path, tmp, log, free_port, odoo_db_args())
            servers.append(server)
            server.wait_ready()
            started = time.monotonic()
            kill = shell(
                copies["kill"],
                script,
                {"BENCH_STEP": "kill_run", "BENCH_KILL_CUSTOMERS": str(kill_customers)},
                log,
                addons_path,
            )
            killed = {}

            def kill_one():
                if killed:
                    return
                rows = _sql(
                    copies["kill"],
                    "SELECT uuid, worker_pid, (SELECT count(*) FROM queue_job WHERE "
                    "model_name = 'dunning.run' AND state = 'done') FROM queue_job "
                    "WHERE model_name = 'dunning.run' AND state = 'started' "
                    "AND worker_pid IS NOT NULL ORDER BY date_started LIMIT 1",
                )
                if rows and rows[0][2] >= 1 and rows[0][1] in server.workers():
                    os.kill(rows[0][1], signal.SIGKILL)
                    killed.update(uuid=rows[0][0], pid=rows[0][1], after_done=rows[0][2])

            waited = _wait_done(copies["kill"], kill["run"], timeout, on_tick=kill_one)
            kill["seconds"] = round(time.monotonic() - started, 3) if waited is not None else None
            kill["killed"] = killed
            if killed:
                (kill["killed_job"],) = _sql(
                    copies["kill"],
                    "SELECT json_build_object('state', state, 'retry', retry) FROM queue_job "
                    "WHERE uuid = %s",
                    (killed["uuid"],),
                )[0]
            server.stop()
            kill["check"] = shell(
                copies["kill"],
                script,
                {"BENCH_STEP": "check", "BENCH_RUN": str(kill["run"])},
                log,
                addons_path,
            )
            result["kill"] = kill
        finally:
            for server in servers:
                server.stop()
            for name in (*copies.values(), template):
                drop_database(name)
    return result


def _timeline_line(size, result):
    """The parallel run's jobs as the driver saw them, and the CPU each side used."""
    spans, workers = {}, {}
    for at, job, state, _attempt, pid in result["workers"]["timeline"]:
        span = spans.setdefault(job, {})
        if state == "started":
            span.setdefault("started", at)
            span["worker"] = workers.setdefault(pid, f"w{len(workers) + 1}")
        elif state == "done":
            span["done"] = at
    jobs = ", ".join(
        f"{job} {span.get('started', '?')}-{span.get('done', '?')} s ({span.get('worker', '?')})"
        for job, span in sorted(spans.items(), key=lambda item: item[1].get("started", 0))
    )
    return (
        f"- {size:,} invoices, the parallel run's jobs (seconds from the cron call, started-done, "
        f"worker): {jobs}; the run done at {result['workers']['seconds']} s. CPU used: the cron "
        f"process {result['cron'].get('cpu_seconds')} s, the server's processes "
        f"{result['workers'].get('server_cpu_seconds')} s."
    )


def results_lines(rows):
    """The RESULTS.md section of this phase, for each size measured."""
    lines = [
        "Today's run over the whole book, emails rendered and queued: by the cron's method in "
        "one process (queue_job bridge off), and as queue_job jobs run by its job runner on an "
        "Odoo server with `--workers=2` on this 2-core machine (each worker in a session of its "
        "own, as the single process has, for Linux's autogroup scheduler), each on a fresh copy "
        "of the book, both timed from the cron call. "
        "Then a run of the first customers in batches of 100 on such a server, one worker killed "
        "with SIGKILL while it ran a job. `bench/workers.py`.",
        "",
        "| invoices / customers | single cron process | 2 workers (queue_job) | speed-up | "
        "reminded (cron / workers) | customers reminded twice | customers missing | jobs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    kills = []
    for size, results in rows:
        result = results.get("workers")
        if not result or "cron" not in result:
            continue
        cron, par = result["cron"], result["workers"]
        same = cron["check"]["partners_hash"] == par["check"]["partners_hash"]
        missing = (
            0 if same else abs(cron["check"]["reminded"] - par["check"]["reminded"]) or "differ"
        )
        # queue_job's retry counts a job's attempts: beyond the first, a batch done again.
        jobs = ", ".join(
            f"{n['count']} {state}, {n['retries'] - n['count']} done again"
            for state, n in par["check"]["jobs"].items()
        )
        lines.append(
            f"| {size:,} / {results['customers']:,} | {cron['seconds']} s | {par['seconds']} s | "
            f"{result.get('speedup', 'n/a')}x | {cron['check']['reminded']:,} / "
            f"{par['check']['reminded']:,} | {cron['check']['reminded_twice']} / "
            f"{par['check']['reminded_twice']} | {missing} | {jobs} |"
        )
        kill = result.get("kill")
        if kill:
            kills.append((size, kill))
    lines.append("")
    for size, results in rows:
        par = (results.get("workers") or {}).get("workers") or {}
        if par.get("timeline"):
            lines.append(_timeline_line(size, results["workers"]))
    for size, kill in kills:
        check, killed = kill["check"], kill.get("killed") or {}
        if killed:
            what = (
                f"worker {killed['pid']} killed while it ran a job (after {killed['after_done']} "
                f"job(s) done); queue_job ran that job again: {kill['killed_job']['state']} "
                f"after {kill['killed_job']['retry']} attempts"
            )
        else:
            what = "no worker could be killed mid-job (every job finished first)"
        lines.append(
            f"- {size:,} invoices, a run for {kill['customers']:,} customers: {what}; the run "
            f"{check['state']} in {kill['seconds']} s with {check['reminded']:,} customers "
            f"reminded, {check['reminded_twice']} twice, {check['missing']} missing, "
            f"{check['mails']:,} mails ({check['mailed_twice']} customer(s) mailed twice)."
        )
    return lines


def main(argv):
    import argparse  # noqa: PLC0415

    from _measure import load_bench_run  # noqa: PLC0415 - bench/_measure.py

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--kill-customers", type=int, default=1000, help="0: no kill run")
    parser.add_argument(
        "--shared-session",
        action="store_true",
        help="the server's workers share its session (one autogroup), as before",
    )
    options = parser.parse_args(argv)
    bench_run = load_bench_run()
    odoo = bench_run.find_odoo()
    bench_run.LOGS.mkdir(parents=True, exist_ok=True)
    log = bench_run.LOGS / f"{options.db}_workers.log"
    result = measure(
        odoo,
        lambda db, script, extra, log, addons: bench_run.shell(
            odoo, db, script, extra, log, addons_path=addons
        ),
        options.db,
        log,
        options.kill_customers,
        sessions=not options.shared_session,
    )
    print(json.dumps(result, indent=1))  # noqa: T201
    return 0


if __name__ == "__main__" and not STEP:
    sys.exit(main(sys.argv[1:]))
