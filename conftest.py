"""pytest glue for the Odoo tier (pytest-odoo); inert in the Odoo-free tier, which never loads
pytest-odoo (pyproject.toml) and so never imports Odoo here."""

import pytest


def pytest_configure(config):
    if config.pluginmanager.has_plugin("odoo") and config.getoption("--odoo-http"):
        config.pluginmanager.register(_ServerBaseUrl(), "dunning_server_base_url")


class _ServerBaseUrl:
    """Point ``web.base.url`` at the HTTP server pytest-odoo started.

    Odoo's own runner serves on the port the database was installed with, which is the port
    in ``web.base.url``; pytest-odoo serves on a random free port. Outside an HttpCase (which
    sets the parameter itself) code that calls back its own server, wkhtmltopdf fetching a
    letter's stylesheets in a TransactionCase, would knock on the wrong door.
    """

    @pytest.fixture(scope="session", autouse=True)
    def server_base_url(self, load_http):
        import odoo  # noqa: PLC0415  (only with pytest-odoo, where Odoo is importable)
        from odoo.modules.registry import Registry  # noqa: PLC0415
        from odoo.tests.common import HOST, get_db_name  # noqa: PLC0415

        url = f"http://{HOST}:{odoo.tools.config['http_port']}"
        with Registry(get_db_name()).cursor() as cr:
            cr.execute(
                "UPDATE ir_config_parameter SET value = %s WHERE key = 'web.base.url'", [url]
            )
        return url
