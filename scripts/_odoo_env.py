"""Helpers shared by ``scripts/test`` and ``scripts/demo``.

Finds an Odoo 19.0 to run (an importable ``odoo`` or a source tree in ``$ODOO_SRC``) and talks to
PostgreSQL (the one that answers, or a private cluster started under a git-ignored folder, for
machines without one). Reading Odoo's log is checklog-odoo's job, .po files polib's.

Standard library only: ``psycopg2`` is imported where a database is dropped, which only happens
where Odoo itself runs (Odoo needs it too).

Run as a program, it starts a private PostgreSQL cluster and prints the ``PGHOST`` to export
(``.ci/run`` uses it when no server answers)::

    python3 scripts/_odoo_env.py private-postgres .demo/pg
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import glob
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON_NAME = "odoo_automated_dunning"
ADDON_DIR = REPO_ROOT / ADDON_NAME
ODOO_SERIE = "19.0"

# Set to 1 to act as if Odoo were not importable (proves the Odoo-free fallback).
FORCE_NO_ODOO_VAR = "DUNNING_FORCE_NO_ODOO"

_TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE_WORDS


def say(message: str = "") -> None:
    """Print one line of our own output, flushed so it interleaves with children's output."""
    print(message, flush=True)


def banner(lines: list[str], char: str = "!") -> None:
    """Print a framed message on stdout AND stderr: for things nobody may miss."""
    width = max(len(line) for line in lines) + 4
    frame = char * width
    text = "\n".join([frame, *(f"{char} {line.ljust(width - 4)} {char}" for line in lines), frame])
    sys.stdout.flush()
    print(text, file=sys.stderr, flush=True)
    print(text, flush=True)


# --------------------------------------------------------------------------------------------
# Finding Odoo
# --------------------------------------------------------------------------------------------


class OdooUnavailable(Exception):
    """No usable ``odoo`` for this interpreter: the Odoo tier cannot run."""


class OdooWrongVersion(Exception):
    """An ``odoo`` was found, but not the series this addon is written for."""


# Run in a child interpreter so that importing Odoo never touches this process.
# odoo.tools and odoo.sql_db need most of Odoo's own dependencies (lxml, passlib, psycopg2...).
_PROBE = """
import json, os
import odoo
import odoo.release as release
try:
    import odoo.tools, odoo.sql_db
    missing = None
except ImportError as error:
    missing = str(error)
print(json.dumps({
    "serie": release.serie,
    "version": release.version,
    "release_file": release.__file__,
    "has_main": any(os.path.isfile(os.path.join(p, "__main__.py")) for p in odoo.__path__),
    "missing": missing,
}))
"""


@dataclasses.dataclass(frozen=True)
class OdooInstall:
    serie: str
    version: str
    release_file: Path
    source_dir: Path | None  # $ODOO_SRC when Odoo came from there
    launcher: tuple[str, ...]  # how to start Odoo's CLI, before the sub-command

    def command(self, subcommand: str, *args: str) -> list[str]:
        return [*self.launcher, subcommand, *args]

    def child_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        if self.source_dir:
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(self.source_dir), env.get("PYTHONPATH")])
            )
        env.update(extra or {})
        return env

    def describe(self) -> str:
        where = f"ODOO_SRC={self.source_dir}" if self.source_dir else "importable odoo"
        return f"Odoo {self.version} ({where}, {self.release_file.parent})"


def find_odoo() -> OdooInstall:
    """Return the Odoo to run; raise :class:`OdooUnavailable` or :class:`OdooWrongVersion`."""
    if env_flag(FORCE_NO_ODOO_VAR):
        raise OdooUnavailable(f"{FORCE_NO_ODOO_VAR} is set: acting as if Odoo were absent")
    source_dir = None
    env = dict(os.environ)
    if os.environ.get("ODOO_SRC"):
        source_dir = Path(os.environ["ODOO_SRC"]).expanduser().resolve()
        if not (source_dir / "odoo" / "release.py").is_file():
            raise OdooUnavailable(f"ODOO_SRC={source_dir} is not an Odoo source tree")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source_dir), env.get("PYTHONPATH")]))
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd="/",  # never pick up an ``odoo`` folder from the current directory
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise OdooUnavailable(f"{sys.executable} cannot import odoo: {last}")
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    release_file = Path(found["release_file"]).resolve()
    if source_dir and source_dir not in release_file.parents:
        raise OdooUnavailable(f"ODOO_SRC={source_dir} is set but odoo came from {release_file}")
    if found["serie"] != ODOO_SERIE:
        raise OdooWrongVersion(
            f"found Odoo {found['version']} at {release_file.parent}, this addon needs {ODOO_SERIE}"
        )
    if found["missing"]:
        raise OdooUnavailable(
            f"Odoo {found['version']} is at {release_file.parent} but its Python dependencies"
            f" are not installed for {sys.executable}: {found['missing']}"
        )
    return OdooInstall(
        serie=found["serie"],
        version=found["version"],
        release_file=release_file,
        source_dir=source_dir,
        launcher=_launcher(found["has_main"], source_dir),
    )


def _launcher(has_main: bool, source_dir: Path | None) -> tuple[str, ...]:
    if has_main:
        return (sys.executable, "-m", "odoo")
    for script in ("odoo-bin", "setup/odoo"):
        if source_dir and (source_dir / script).is_file():
            return (sys.executable, str(source_dir / script))
    raise OdooUnavailable("odoo has no __main__.py and no odoo-bin was found to start it")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


def odoo_db_args() -> list[str]:
    """Odoo's connection options from the libpq variables that are set (else: default socket)."""
    if os.environ.get("PGUSER") == "postgres":
        raise SystemExit("PGUSER=postgres: Odoo refuses to run as the 'postgres' role; unset it")
    options = {"PGHOST": "--db_host", "PGPORT": "--db_port", "PGUSER": "--db_user"}
    return [f"{option}={os.environ[var]}" for var, option in options.items() if os.environ.get(var)]


def pg_bindir() -> Path | None:
    """The newest PostgreSQL server binaries folder (Debian layout), or None."""

    def version(path: str) -> float:
        try:
            return float(Path(path).parent.name)
        except ValueError:
            return 0.0

    candidates = [p for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "pg_ctl").exists()]
    if candidates:
        return Path(max(candidates, key=version))
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def pg_answers() -> bool:
    """True when a PostgreSQL server accepts connections with the current libpq settings."""
    bindir = pg_bindir()
    pg_isready = shutil.which("pg_isready") or (bindir and str(bindir / "pg_isready"))
    if pg_isready and Path(pg_isready).exists():
        ready = subprocess.run([pg_isready, "-q", "-d", "postgres"], check=False)
        return ready.returncode == 0
    try:
        import psycopg2  # noqa: PLC0415  (only where Odoo's dependencies are installed)
    except ImportError:
        return False
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=5).close()
    except psycopg2.Error:
        return False
    return True


@contextlib.contextmanager
def _maintenance_cursor():
    import psycopg2  # noqa: PLC0415  (installed wherever Odoo runs)

    connection = psycopg2.connect(dbname="postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def database_exists(name: str) -> bool:
    with _maintenance_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def drop_database(name: str) -> None:
    """Drop a database even if a (killed) Odoo still holds connections to it."""
    from psycopg2 import sql  # noqa: PLC0415

    with _maintenance_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@dataclasses.dataclass
class PrivateCluster:
    """A PostgreSQL cluster of our own, listening on a socket folder only (no TCP port)."""

    base: Path
    bindir: Path
    run_as: list[str]  # prefix that runs a command as the cluster's owner

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), *args]
        return subprocess.run(command, check=check, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self.run_as:
            subprocess.run(["chown", "-R", "postgres:", str(self.base)], check=True)
        if not (self.data_dir / "PG_VERSION").exists():
            initdb = [str(self.bindir / "initdb"), "-D", str(self.data_dir), "--auth=trust"]
            initdb += ["--username", getpass.getuser(), "--encoding=UTF8", "--locale=C"]
            subprocess.run([*self.run_as, *initdb], check=True, stdout=subprocess.DEVNULL)
        if self._pg_ctl("status", check=False).returncode == 0:
            return
        options = f"-k {shlex.quote(str(self.socket_dir))} -c listen_addresses=''"
        log = str(self.base / "postgres.log")
        self._pg_ctl("-w", "-l", log, "-o", options, "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop", check=False)


def private_cluster(base: Path) -> PrivateCluster:
    bindir = pg_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        raise SystemExit("No PostgreSQL server binaries (initdb, pg_ctl): install postgresql")
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            raise SystemExit("Running as root needs runuser to start PostgreSQL as 'postgres'")
        run_as = ["runuser", "-u", "postgres", "--"]
    return PrivateCluster(base=base.resolve(), bindir=bindir, run_as=run_as)


def ensure_postgres(private_base: Path) -> PrivateCluster | None:
    """Use the PostgreSQL that answers; else start a private one and point libpq (PGHOST) at it.

    Return the cluster when we started one (the caller stops it), else None.
    """
    if pg_answers():
        return None
    cluster = private_cluster(private_base)
    say(f"No PostgreSQL answers: starting a private cluster in {cluster.base}")
    cluster.start()
    os.environ["PGHOST"] = str(cluster.socket_dir)
    os.environ.pop("PGPORT", None)
    if not pg_answers():
        raise SystemExit(f"The private PostgreSQL did not come up: see {cluster.base}/postgres.log")
    return cluster


# --------------------------------------------------------------------------------------------
# Translations
# --------------------------------------------------------------------------------------------


def export_pot(odoo: OdooInstall, config: Path, database: str, module: str, target: Path) -> None:
    """Odoo's own export of the module's terms from a database where it is installed."""
    command = odoo.command(
        "i18n", "export", f"--config={config}", f"--database={database}", "--languages", "pot"
    )
    command += [f"--output={target}", module]
    subprocess.run(
        command, env=odoo.child_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "private-postgres":
        cluster = private_cluster(Path(argv[1]))
        cluster.start()
        print(cluster.socket_dir)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
