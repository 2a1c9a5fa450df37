"""The .pot freshness check reads msgids the way gettext writes them."""

import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _odoo_env():
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("_odoo_env", SCRIPTS / "_odoo_env.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault("_odoo_env", module)  # its dataclasses look themselves up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


def test_msgids_single_and_multiline_without_the_header(tmp_path):
    pot = tmp_path / "x.pot"
    pot.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        "\n"
        "#: model:ir.model.fields,field_description:x.field\n"
        'msgid "Total Due"\n'
        'msgstr ""\n'
        "\n"
        'msgid ""\n'
        '"<p>Dear <t t-out=\\"object.name\\"/>,</p>\\n"\n'
        '"Pay now"\n'
        'msgstr "Bonjour"\n',
        encoding="utf-8",
    )
    assert _odoo_env().po_msgids(pot) == {
        "Total Due",
        '<p>Dear <t t-out="object.name"/>,</p>\nPay now',
    }
