"""DESIGN.md's capability table is the dependency order: a package may import the packages
above it, never one below it. ``core`` imports no other package; ``demo`` and ``web`` sit on
top and may import anything, and so may the top-level modules that wire everything together
(the CLI, the model registry, the migrations)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import xinyong

ORDER = [
    "core", "accounts", "audit", "subjects", "catalog", "records", "commitments", "lists", "checks", "push",
    "redress", "supervision", "evaluation", "monitoring", "disclosure", "exchange", "jobs", "demo", "web",
]
ANYTHING_GOES = {"demo", "web", "migrations"}
TOP_LEVEL_ALLOWED = {"cli.py", "models.py", "__main__.py", "__init__.py"}
# The wiring on top, which imports everything: no capability may import it.
TOP = {"cli", "models", "__main__", "migrations"}

PACKAGE_DIR = Path(xinyong.__file__).resolve().parent


def imported_packages(path: Path, root: Path = PACKAGE_DIR) -> set[tuple[str, int]]:
    """``(package, line)`` for every ``xinyong.<package>`` this module imports: ``import
    xinyong.x…``, ``from xinyong.x… import …``, ``from xinyong import x`` and relative imports
    that reach another package, at any depth (function-level imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_parts = path.relative_to(root.parent).with_suffix("").parts
    found: set[tuple[str, int]] = set()

    def add(dotted: str, line: int) -> None:
        parts = dotted.split(".")
        if parts[0] == "xinyong" and len(parts) > 1:
            found.add((parts[1], line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = list(module_parts[: len(module_parts) - node.level])
                if path.name == "__init__.py":
                    base = list(module_parts[: len(module_parts) - node.level + 1])
                dotted = ".".join(base + ([node.module] if node.module else []))
            else:
                dotted = node.module or ""
            if dotted == "xinyong":
                for alias in node.names:
                    add(f"xinyong.{alias.name}", node.lineno)
            else:
                add(dotted, node.lineno)
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def package_of(path: Path) -> str | None:
    """The capability a module belongs to, or None for a top-level module."""
    parts = path.relative_to(PACKAGE_DIR).parts
    return parts[0] if len(parts) > 1 else None


def test_the_parser_sees_every_kind_of_import(tmp_path):
    module = tmp_path / "xinyong" / "records" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import xinyong.web.app\n"
        "from xinyong.checks import service\n"
        "from xinyong import lists, __version__\n"
        "from .. import models\n"
        "from ..catalog.schemas import X\n"
        "from .service import y\n"
        "def f():\n    from xinyong.demo.cli import z\n",
        encoding="utf-8",
    )
    found = {p for p, _ in imported_packages(module, tmp_path / "xinyong")}
    assert found == {"web", "checks", "lists", "__version__", "models", "catalog", "records", "demo"}


def test_every_package_is_in_the_order():
    packages = {p.name for p in PACKAGE_DIR.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    unknown = packages - set(ORDER) - ANYTHING_GOES - {"policy"}
    assert not unknown, f"add these packages to DESIGN.md's table and to ORDER here: {sorted(unknown)}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_package_imports_one_below_it(path: Path):
    package = package_of(path)
    if package is None:
        assert path.name in TOP_LEVEL_ALLOWED, f"a new top-level module: {path.name}"
        return
    if package in ANYTHING_GOES:
        return
    assert package in ORDER, f"{package} is not in DESIGN.md's order"
    rank = ORDER.index(package)
    bad = sorted(
        f"line {line}: imports xinyong.{other}"
        for other, line in imported_packages(path)
        if other != package
        and (other in TOP or (other in ORDER and (package == "core" or ORDER.index(other) > rank)))
    )
    assert not bad, f"{path.relative_to(PACKAGE_DIR.parent)} ({package}) imports a package below it: {bad}"


def test_core_imports_no_other_package():
    for path in (PACKAGE_DIR / "core").rglob("*.py"):
        others = {p for p, _ in imported_packages(path)} & (set(ORDER) | TOP) - {"core"}
        assert not others, f"{path.relative_to(PACKAGE_DIR.parent)} imports {sorted(others)}"
