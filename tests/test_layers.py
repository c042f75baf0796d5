"""The one-way house: an app imports only the apps below it (the import-linter contract in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["config", "remediation", "sites", "geodata", "access"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_code(folder: Path) -> Path:
    for app in APPS:
        shutil.copytree(ROOT / app, folder / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def test_the_code_keeps_the_one_way_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    code = copy_of_the_code(tmp_path)
    with (code / "geodata" / "maps.py").open("a") as module:
        module.write(
            "\n\ndef _status_colours():\n    from sites.models import STATUS_COLOURS\n\n    return STATUS_COLOURS\n"
        )
    result = lint_imports(code)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "geodata.maps -> sites.models" in result.stdout
