"""Copies of the test database for tests that run Odoo in another process (a server with
workers, a shell killed mid-send): the other process needs committed data, which the test's
own transaction never has."""

import time

import psycopg2
from psycopg2 import (
    errors,
    sql as pgsql,
)

from odoo.sql_db import close_db
from odoo.tools import config

# How long a copy or a drop waits for other sessions to leave the database.
WAIT_SECONDS = 30


def connect(dbname):
    """A plain autocommit connection to PostgreSQL as Odoo's configuration reaches it."""
    options = {
        key: config[option]
        for key, option in (
            ("host", "db_host"),
            ("port", "db_port"),
            ("user", "db_user"),
            ("password", "db_password"),
        )
        if config.get(option)
    }
    connection = psycopg2.connect(dbname=dbname, **options)
    connection.autocommit = True
    return connection


def pause_job_runner():
    """Stop queue_job's runner thread where it runs in this process (it keeps a connection to
    the database); the module to start it again, or None."""
    try:
        from odoo.addons.queue_job import jobrunner  # noqa: PLC0415 - only where installed
    except ImportError:
        return None
    if not jobrunner.runner_thread:
        return None
    jobrunner.runner_thread.stop()
    jobrunner.runner_thread.join(WAIT_SECONDS)
    jobrunner.runner_thread = None
    return jobrunner


def resume_job_runner(jobrunner):
    if jobrunner:
        jobrunner._start_runner_thread("threaded server")


def _retry_while_in_use(cr, statement):
    """Run ``statement``, retried while another session holds the database; False when it
    stays in use."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            cr.execute(statement)
            return True
        except errors.ObjectInUse:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)


def copy_database(source, copy):
    """CREATE DATABASE ``copy`` TEMPLATE ``source`` (what it holds committed: the installed
    modules, none of the tests' data), after closing this process's idle connections to it.
    False when another session keeps using ``source``."""
    close_db(source)
    maintenance = connect("postgres")
    try:
        with maintenance.cursor() as cr:
            cr.execute(pgsql.SQL("DROP DATABASE IF EXISTS {}").format(pgsql.Identifier(copy)))
            return _retry_while_in_use(
                cr,
                pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    pgsql.Identifier(copy), pgsql.Identifier(source)
                ),
            )
    finally:
        maintenance.close()


def drop_database(copy):
    maintenance = connect("postgres")
    try:
        with maintenance.cursor() as cr:
            drop = pgsql.SQL("DROP DATABASE IF EXISTS {}").format(pgsql.Identifier(copy))
            if not _retry_while_in_use(cr, drop):
                raise RuntimeError(f"database {copy} stays in use: not dropped")
    finally:
        maintenance.close()
