"""The package's layout is part of its design: stages import only the stages
below them (the import-linter contract in pyproject.toml) and no module grows
past a size a reader can hold in mind."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hooks" / "kb"
MAX_LINES = 400
STAGES = ("text", "source", "schema", "model", "analysis", "compile", "site", "publish", "importer", "preview", "engine", "cli")


def test_import_contract_holds():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency (pyproject.toml [test])"
    run = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_no_module_over_the_line_limit():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_tree_shows_the_stages():
    # Every stage is a subpackage; nothing but the shared problem list and the
    # settings lives flat at the package's top.
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "problems.py", "settings.py"], flat
