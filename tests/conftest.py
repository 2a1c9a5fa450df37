"""The Odoo-free tier imports the addon's functional core by its real name, without Odoo.

``odoo_automated_dunning/__init__.py`` imports the addon's models, which need Odoo (and Odoo
accepts them only as ``odoo.addons.odoo_automated_dunning``). The core needs neither. So the
addon folder is registered here as what Python makes of a folder without ``__init__.py``: a
namespace package (PEP 420), a module with a ``__path__`` and no code. Then
``import odoo_automated_dunning.core`` is an ordinary import that finds the real ``core/``
package under its real name and runs only its own ``__init__``; importing anything else of the
addon (``odoo_automated_dunning.models``) still needs Odoo and fails loudly without it.
"""

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

ADDON = "odoo_automated_dunning"
ADDON_DIR = Path(__file__).resolve().parent.parent / ADDON

if ADDON not in sys.modules:
    _spec = importlib.machinery.ModuleSpec(ADDON, None, is_package=True)
    _spec.submodule_search_locations = [str(ADDON_DIR)]
    sys.modules[ADDON] = importlib.util.module_from_spec(_spec)
