"""docs/architecture.md stays true: every part of the package is described with its level, imports only
point down, and the parts marked "no HTTP" know nothing of Flask."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "navigator"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(navigator/[\w./]+)` \| (\d+) \| (yes|no) \|", re.M)
WEB = ("flask", "werkzeug", "flask_login", "flask_wtf", "flask_limiter", "flask_compress")


def described() -> dict[str, tuple[int, bool]]:
    """Each part of the doc's table: its level, and whether it may know HTTP."""
    return {path: (int(level), http == "yes") for path, level, http in ROW.findall(DOC)}


def part_of(module: str) -> str:
    """The part a dotted module name belongs to: `navigator/x/` for a package, `navigator/x.py` for a module."""
    parts = module.split(".")
    if len(parts) == 1:
        return "navigator/__init__.py"
    return f"navigator/{parts[1]}/" if (PACKAGE / parts[1]).is_dir() else f"navigator/{parts[1]}.py"


def sources() -> list[tuple[str, Path]]:
    return [(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"), path)
            for path in sorted(PACKAGE.rglob("*.py"))]


def imports(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function (`from navigator import x` as navigator.x)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "navigator":
                found += [f"navigator.{alias.name}" if (PACKAGE / alias.name).exists()
                          or (PACKAGE / f"{alias.name}.py").exists() else "navigator" for alias in node.names]
            else:
                found.append(node.module)
    return found


def test_every_part_of_the_package_is_in_the_table():
    actual = {f"navigator/{path.name}/" if path.is_dir() else f"navigator/{path.name}"
              for path in PACKAGE.iterdir()
              if (path.is_dir() and (path / "__init__.py").exists()) or path.suffix == ".py"}
    assert set(described()) == actual


def test_every_package_is_named_in_the_doc():
    packages = {f"{init.parent.relative_to(ROOT).as_posix()}/" for init in PACKAGE.rglob("__init__.py")}
    missing = sorted(package for package in packages if f"`{package}" not in DOC)
    assert missing == []


def test_imports_only_point_down():
    levels = described()
    upward = []
    for module, path in sources():
        source = part_of(module)
        for target in (name for name in imports(path) if name.split(".")[0] == "navigator"):
            to = part_of(target)
            if to != source and levels[to][0] >= levels[source][0]:
                upward.append(f"{path.relative_to(ROOT)} imports {target}")
    assert upward == []


def test_plain_parts_know_no_http():
    levels = described()
    found = [f"{path.relative_to(ROOT)} imports {name}" for module, path in sources()
             if not levels[part_of(module)][1] for name in imports(path) if name.split(".")[0] in WEB]
    assert found == []


def test_the_checks_would_see_an_upward_import(tmp_path):
    """The import reader finds imports inside functions and `from navigator import x` (the old CLI circle)."""
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from navigator import create_app\n    from navigator.views.api import v1\n",
                    encoding="utf-8")
    assert imports(path) == ["navigator", "navigator.views.api"]
    assert part_of("navigator.views.api.v1") == "navigator/views/" and part_of("navigator") == "navigator/__init__.py"
