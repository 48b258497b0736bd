"""Every benchmark script still imports: they import the package's internals, which move (a moved `fold`
once left three of them failing at their first line, unnoticed until someone wanted a figure)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(path for path in BENCH.glob("*.py") if path.name != "stack.py")  # stack.py is a module


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_benchmark_script_imports(script):
    source = script.read_text(encoding="utf-8")
    needs_client = "import aiohttp" in source or "from load import" in source
    if needs_client and importlib.util.find_spec("aiohttp") is None:
        pytest.skip("needs the bench extra (aiohttp)")
    # As each script finds its siblings; import_module, since one of them is called import.py.
    load = f"import importlib, sys; sys.path[:0] = ['bench', '.']; importlib.import_module({script.stem!r})"
    result = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, timeout=120,
                            cwd=BENCH.parent)
    assert result.returncode == 0, result.stderr[-2000:]
