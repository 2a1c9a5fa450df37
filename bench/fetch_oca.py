"""Fetch OCA's account_credit_control 19.0 for the benchmark, outside the repository's code.

Run from anywhere (plain Python, no Odoo needed):

    python3 bench/fetch_oca.py

It downloads the module's wheel from PyPI with ``pip download --no-deps`` and unpacks only its
``odoo/addons/account_credit_control/`` folder into ``bench/.oca/addons/account_credit_control/``
(relative to the repository root). If that folder is already there, nothing is downloaded. The
addons folder to put on ``--addons-path`` is printed on the last line. ``bench/.oca`` is
git-ignored: OCA's code is only called from ``bench/oca_peer.py``, never copied into the repo.
"""

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REQUIREMENT = "odoo-addon-account_credit_control>=19.0,<19.1"
MODULE = "account_credit_control"
PREFIX = f"odoo/addons/{MODULE}/"

REPO = Path(__file__).resolve().parent.parent
ADDONS = REPO / "bench" / ".oca" / "addons"


def fetch():
    target = ADDONS / MODULE
    if (target / "__manifest__.py").is_file():
        return ADDONS
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, REQUIREMENT],
            check=True,
        )
        wheels = sorted(Path(tmp).glob("*.whl"))
        if not wheels:
            raise SystemExit(f"pip downloaded no wheel for {REQUIREMENT}")
        staging = ADDONS / f".{MODULE}.partial"
        if staging.exists():
            _remove(staging)
        with zipfile.ZipFile(wheels[0]) as wheel:
            for member in wheel.infolist():
                if not member.filename.startswith(PREFIX) or member.is_dir():
                    continue
                dest = staging / member.filename[len(PREFIX) :]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(wheel.read(member))
        if not (staging / "__manifest__.py").is_file():
            raise SystemExit(f"{wheels[0].name} has no {PREFIX}__manifest__.py")
        if target.exists():
            _remove(target)
        staging.rename(target)
    return ADDONS


def _remove(path):
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if child.is_dir() and not child.is_symlink():
            child.rmdir()
        else:
            child.unlink()
    path.rmdir()


if __name__ == "__main__":
    print(fetch())  # noqa: T201
