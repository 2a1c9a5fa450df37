import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta

import odoo
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import config

from odoo.addons.odoo_automated_dunning.tests import database_copy

LAUNCHER = """import sys
import time

if sys.argv[1:2] == ["gevent"]:
    # The prefork server starts its websocket process as `<python> <this script> gevent`.
    # gevent is not installed here and nothing here needs the websocket: stand in for it.
    while True:
        time.sleep(3600)
import odoo.cli

odoo.cli.main()
"""
CUSTOMERS = 5
BATCH = 2  # 4 jobs (a multiple of the 2 workers): 2 + 1 + 1 + 1 customers
PASSWORD = "runner-test"  # noqa: S105 - the admin password of the throw-away copy only


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install")
class TestDunningQueueJobRunner(BaseCase):
    """The parallel path for real: a committed copy of this database, an Odoo server with 2
    workers and queue_job's job runner on it; the daily cron hands the run's batches to queue_job
    and the runner has the workers perform them (each job through /queue_job/runjob)."""

    def setUp(self):
        super().setUp()
        self.source = get_db_name()
        self.copy = f"{self.source}_runner"
        self.tmp = tempfile.mkdtemp(prefix="dunning_runner_")
        self.server = self.stderr = None
        self.runner_paused = None
        self.addCleanup(self._clean_up)
        self._copy_database()
        self.port = _free_port()
        self._start_server()

    # ------------------------------------------------------------------ set-up

    def _copy_database(self):
        """A committed copy of this database (its installed modules, none of the other tests'
        data) for the server; this process's connections to it closed first, queue_job's
        runner thread's too when this process serves HTTP (started again afterwards)."""
        self.runner_paused = database_copy.pause_job_runner()
        if not database_copy.copy_database(self.source, self.copy):
            self.skipTest(
                f"database {self.source} stays in use by another session: it cannot be copied"
            )
        copy = database_copy.connect(self.copy)
        try:
            with copy.cursor() as cr:
                # Odoo takes a plain-text password and hashes it at the first login.
                cr.execute("UPDATE res_users SET password = %s WHERE id = 2", (PASSWORD,))
        finally:
            copy.close()

    def _start_server(self):
        conf = os.path.join(self.tmp, "odoo.conf")
        options = {
            "addons_path": ",".join(config["addons_path"])
            if isinstance(config["addons_path"], list)
            else config["addons_path"],
            "db_name": self.copy,
            "dbfilter": f"^{self.copy}$",
            "http_interface": "127.0.0.1",
            "http_port": self.port,
            "workers": 2,
            "max_cron_threads": 0,
            "server_wide_modules": "base,rpc,web,queue_job",
            "data_dir": os.path.join(self.tmp, "data"),
            "logfile": os.path.join(self.tmp, "server.log"),
            "log_level": "info",
            "limit_time_real": 300,
        }
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config.get(option):
                options[option] = config[option]
        with open(conf, "w", encoding="utf-8") as out:
            out.write("[options]\n")
            out.writelines(f"{key} = {value}\n" for key, value in options.items())
            out.write("\n[queue_job]\nchannels = root:2\n")
        environ = dict(os.environ)
        source_dir = os.path.dirname(odoo.__path__[0])
        environ["PYTHONPATH"] = os.pathsep.join([source_dir, environ.get("PYTHONPATH", "")])
        launcher = os.path.join(self.tmp, "odoo_launcher.py")
        with open(launcher, "w", encoding="utf-8") as out:
            out.write(LAUNCHER)
        self.stderr = open(os.path.join(self.tmp, "stderr.log"), "w")  # noqa: SIM115
        self.server = subprocess.Popen(  # noqa: S603 - our own Odoo, our own arguments
            [sys.executable, launcher, "server", f"--config={conf}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            env=environ,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.assertIsNone(self.server.poll(), f"the server stopped: {self._log_tail()}")
            try:
                with urllib.request.urlopen(  # noqa: S310 - our own local server
                    f"http://127.0.0.1:{self.port}/web/health", timeout=5
                ):
                    return
            except OSError:
                time.sleep(0.5)
        self.fail(f"the Odoo server did not answer within 60 s: {self._log_tail()}")

    def _clean_up(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        if self.server:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGKILL)  # its workers and job runner
        if self.stderr:
            self.stderr.close()
        database_copy.drop_database(self.copy)
        subprocess.run(["rm", "-rf", self.tmp], check=False)  # noqa: S607
        database_copy.resume_job_runner(self.runner_paused)

    def _log_tail(self):
        path = os.path.join(self.tmp, "server.log")
        if not os.path.exists(path):
            return "(no log)"
        with open(path, encoding="utf-8") as log:
            return log.read()[-3000:]

    # ------------------------------------------------------------------ RPC

    def _call(self, model, method, *args, **kwargs):
        """A JSON-RPC call as the administrator of the copy, through the server's workers."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.copy, 2, PASSWORD, model, method, list(args), kwargs],
            },
        }
        request = urllib.request.Request(  # noqa: S310 - our own local server
            f"http://127.0.0.1:{self.port}/jsonrpc",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
            body = json.loads(answer.read())
        if "error" in body:
            self.fail(f"{model}.{method}: {body['error']['data'].get('message')}")
        return body["result"]

    def _ref(self, xmlid):
        module, name = xmlid.split(".")
        (row,) = self._call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        return row["res_id"]

    # ------------------------------------------------------------------ test

    def test_the_job_runner_has_two_workers_run_the_batches_each_customer_reminded_once(self):
        today = date.today()
        company_id = self._call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
        self._call(
            "res.company",
            "write",
            [company_id],
            {"dunning_window_start": 0.0, "dunning_window_end": 24.0},
        )
        self._call(
            "dunning.policy",
            "write",
            [self._ref("odoo_automated_dunning.dunning_policy_standard")],
            {"active": True, "company_id": company_id},
        )
        for key, value in (("batch_size", BATCH), ("use_queue_job", 1)):
            self._call("ir.config_parameter", "set_param", f"odoo_automated_dunning.{key}", value)
        immediate = self._ref("account.account_payment_term_immediate")
        partners = self._call(
            "res.partner",
            "create",
            [
                {"name": f"Runner customer {i}", "email": f"ap{i}@runner.example.com"}
                for i in range(CUSTOMERS)
            ],
        )
        invoices = self._call(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner,
                    "invoice_date": (today - timedelta(days=20)).isoformat(),
                    "invoice_payment_term_id": immediate,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Consulting", "quantity": 1, "price_unit": 100.0})
                    ],
                }
                for partner in partners
            ],
        )
        self._call("account.move", "action_post", invoices)

        # The daily cron, as the scheduler would run it: it enqueues and returns.
        self._call(
            "ir.cron",
            "method_direct_trigger",
            [self._ref("odoo_automated_dunning.ir_cron_dunning_run")],
        )

        deadline = time.monotonic() + 90
        while True:
            runs = self._call(
                "dunning.run",
                "search_read",
                [("date", "=", today.isoformat()), ("partner_ids", "=", False)],
                fields=[
                    "state",
                    "jobs_enqueued",
                    "customer_count",
                    "customer_done_count",
                    "queued_count",
                ],
            )
            jobs = self._call(
                "queue.job",
                "search_read",
                [("model_name", "=", "dunning.run")],
                fields=["state", "worker_pid", "exc_info"],
            )
            if (
                runs
                and runs[0]["state"] == "done"
                and jobs
                and all(job["state"] in ("done", "failed") for job in jobs)
            ):
                break
            self.assertLess(
                time.monotonic(),
                deadline,
                f"the jobs did not finish in 90 s: runs {runs}, jobs {jobs}; {self._log_tail()}",
            )
            time.sleep(0.5)

        (run,) = runs
        self.assertTrue(run["jobs_enqueued"], "the batches went to queue_job")
        self.assertEqual(len(jobs), 4, "one job per batch of at most 2 customers")
        self.assertEqual(
            [job["state"] for job in jobs],
            ["done"] * 4,
            [job["exc_info"] for job in jobs if job["exc_info"]],
        )
        workers = {job["worker_pid"] for job in jobs}
        self.assertNotIn(self.server.pid, workers, "performed by the workers, not the server")
        self.assertTrue(workers and all(workers), "each job records the worker that ran it")
        self.assertEqual((run["customer_count"], run["customer_done_count"]), (5, 5))
        self.assertEqual(
            run["queued_count"], 5, "the run's counts computed once the jobs committed"
        )

        reminders = self._call(
            "dunning.communication",
            "search_read",
            [("partner_id", "in", partners)],
            fields=["partner_id", "state"],
        )
        self.assertEqual(
            sorted(reminder["partner_id"][0] for reminder in reminders),
            sorted(partners),
            "each customer due got one reminder, none two",
        )
        self.assertEqual({reminder["state"] for reminder in reminders}, {"queued"})
        mails = self._call(
            "mail.mail",
            "search_read",
            [("model", "=", "res.partner"), ("res_id", "in", partners)],
            fields=["res_id"],
        )
        self.assertEqual(sorted(mail["res_id"] for mail in mails), sorted(partners))
