"""What both tools' measuring scripts share (bench/ours.py, bench/oca_peer.py).

They run as the standard input of `odoo shell`, so bench/run names this folder in BENCH_DIR.
"""

import contextlib
import os
import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def cpu_time():
    """CPU seconds of this process and of the programs it ran and waited for (wkhtmltopdf)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def db_cpu_time(cr):
    """CPU seconds of the PostgreSQL backend serving ``cr`` (on this machine): the database's
    share of a measure, which wall time mixes with waiting on a shared machine."""
    cr.execute("SELECT pg_backend_pid()")
    try:
        stat = Path(f"/proc/{cr.fetchone()[0]}/stat").read_text()
    except OSError:  # a server on another machine
        return 0.0
    # Fields 14 and 15 (utime, stime), counted after the command name in brackets.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Modules whose code translations the measured work reads (report widgets, mail layout, ours).
WARM_MODULES = (
    "base",
    "web",
    "mail",
    "account",
    "odoo_automated_dunning",
    "account_credit_control",
)


def warm_translations(env):
    """Load the code translations of the book's languages once, outside the measure: a
    running server has them loaded after its first use of each, and reading a .po file
    takes seconds (both tools' first letter in French would pay it otherwise)."""
    from odoo.tools.translate import code_translations  # noqa: PLC0415

    for lang in env["res.lang"].search([("code", "!=", "en_US")]).mapped("code"):
        for module in WARM_MODULES:
            code_translations.get_python_translations(module, lang)


REPORT_BUNDLES = ("web.report_assets_common", "web.report_assets_pdf")


def warm_report_assets(env):
    """Build the report stylesheets and commit them, outside the measure, as a running server
    has them: wkhtmltopdf fetches them from the server that bench/run starts, which otherwise
    builds them inside whichever tool renders a PDF first (ours: its phase ran first). Also
    built in the measuring transaction, which does not see that commit."""
    with env.registry.cursor() as cr:
        for bundle in REPORT_BUNDLES:
            env(cr=cr)["ir.qweb"]._get_asset_bundle(bundle, js=False, autoprefix=True).css()
    for bundle in REPORT_BUNDLES:
        env["ir.qweb"]._get_asset_bundle(bundle, js=False, autoprefix=True).css()


class _Undo(Exception):
    """Rolls back what warm_report wrote."""


def warm_report(env, render):
    """Call ``render`` (one document of a customer outside the measure, to HTML) and undo
    what it wrote: its templates stay compiled, as in a server that has printed before. Each
    tool does it for its own report, so neither compiles its templates inside the measure."""
    with contextlib.suppress(_Undo), env.cr.savepoint():
        render()
        env.flush_all()
        raise _Undo
    env.invalidate_all()


def _status_mb(field):
    """A VmRSS/VmHWM figure of /proc/self/status in MB, or None off Linux."""
    with contextlib.suppress(OSError):
        for line in STATUS.read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024)
    return None


def _maxrss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def rss_mb():
    """This process's resident memory now."""
    rss = _status_mb("VmRSS")
    return rss if rss is not None else _maxrss_mb()


def peak_rss_mb():
    """This process's own peak resident memory since it started (VmHWM).

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux keeps that figure across ``execve``, so a
    process started by ``subprocess`` (vfork, then exec) reports its parent's peak when it is
    higher. bench/run's own peak (the throughput phase holds the captured mails in memory: 14,000
    at 10,000 invoices, 20,000 at 100,000) was every phase's "peak" that way: 253 and 346 MB."""
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else _maxrss_mb()


class MemoryWatch:
    """The process's memory around one measured call.

    ``before``: resident memory just before the call (Odoo loaded, setup done); ``peak``: the
    process's own peak, setup included; ``call_peak``: the peak during the call alone (the
    kernel's peak counter is reset when the call starts, where Linux allows it); ``growth``:
    ``call_peak - before``, what the call itself added."""

    def __init__(self):
        self.before = self.peak_before = self.call_peak = None

    def start(self):
        self.peak_before = peak_rss_mb()
        self.before = rss_mb()
        # "5" resets VmHWM to the current RSS (Linux 4.0+; this process's own file).
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5", encoding="ascii")

    def stop(self):
        self.call_peak = peak_rss_mb()

    def figures(self):
        return {
            "rss_before_mb": self.before,
            "call_peak_rss_mb": self.call_peak,
            "call_growth_mb": self.call_peak - self.before,
            "peak_rss_mb": max(self.peak_before, self.call_peak),
        }


def load_bench_run():
    """bench/run (a script without a .py suffix) as a module, for the scripts run alone."""
    import importlib.machinery  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    path = Path(__file__).resolve().parent / "run"
    loader = importlib.machinery.SourceFileLoader("bench_run", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("bench_run", loader))
    loader.exec_module(module)
    return module
