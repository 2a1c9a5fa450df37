"""What both tools' measuring scripts share (bench/ours.py, bench/oca_peer.py).

They run as the standard input of `odoo shell`, so bench/run names this folder in BENCH_DIR.
"""

import resource


def cpu_time():
    """CPU seconds of this process and of the programs it ran and waited for (wkhtmltopdf)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
