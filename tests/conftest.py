"""Load the addon's functional core without Odoo.

``odoo_automated_dunning/__init__.py`` imports the Odoo models, so importing the core through
its parent package would need Odoo. The core itself has no Odoo import: load its folder as a
standalone package named ``dunning_core``, so tests write ``import dunning_core as core``.
"""

import importlib.util
import sys
from pathlib import Path

CORE_DIR = Path(__file__).resolve().parent.parent / "odoo_automated_dunning" / "core"


def _load_core():
    if "dunning_core" in sys.modules:
        return sys.modules["dunning_core"]
    spec = importlib.util.spec_from_file_location(
        "dunning_core",
        CORE_DIR / "__init__.py",
        submodule_search_locations=[str(CORE_DIR)],
    )
    module = importlib.util.module_from_spec(spec)
    # Registered before running it, so the core's relative imports find their package.
    sys.modules["dunning_core"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["dunning_core"]
        raise
    return module


_load_core()
