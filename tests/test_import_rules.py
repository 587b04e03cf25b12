"""The floors of DESIGN §4: domain at the ground; db and reports on it; services above them;
the demo (a seed tool) above the services; ui and the entry points on top. Read from the
source's import statements."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import iopdesk

PACKAGE = Path(iopdesk.__file__).parent
QT_ALLOWED = ("iopdesk/ui/", "iopdesk/app.py")  # cli/ reaches Qt only through app.py
# The demo practice is a seed tool, not a use case: only the entry points run it.
DEMO_ALLOWED = ("iopdesk/demo/", "iopdesk/cli/")     # no screen imports it (DESIGN §4)

# For each layer: the project packages and third-party roots it must not import.
FORBIDDEN = {
    "iopdesk/domain/": ("iopdesk.db", "iopdesk.services", "iopdesk.reports", "iopdesk.demo",
                        "iopdesk.ui", "iopdesk.app", "iopdesk.cli", "iopdesk.config",
                        "sqlalchemy", "alembic", "PySide6", "reportlab", "sqlite3", "psycopg",
                        "platformdirs"),
    "iopdesk/db/": ("iopdesk.services", "iopdesk.reports", "iopdesk.demo", "iopdesk.ui",
                    "iopdesk.app", "iopdesk.cli", "iopdesk.config", "PySide6"),
    "iopdesk/reports/": ("iopdesk.db", "iopdesk.services", "iopdesk.demo", "iopdesk.ui",
                         "iopdesk.app", "iopdesk.cli", "sqlalchemy", "PySide6"),
    "iopdesk/services/": ("iopdesk.demo", "iopdesk.ui", "iopdesk.app", "iopdesk.cli", "PySide6"),
    "iopdesk/demo/": ("iopdesk.ui", "iopdesk.app", "iopdesk.cli", "iopdesk.config", "PySide6"),
    "iopdesk/ui/": ("iopdesk.db", "sqlalchemy", "alembic", "iopdesk.app", "iopdesk.cli"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from iopdesk import demo` imports the package iopdesk.demo
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules() -> list[tuple[str, set[str]]]:
    root = PACKAGE.parent
    return [(path.relative_to(root).as_posix(), _imports(path))
            for path in sorted(PACKAGE.rglob("*.py"))]


def _hits(imported: set[str], roots: tuple[str, ...]) -> set[str]:
    return {name for name in imported for root in roots
            if name == root or name.startswith(root + ".")}


def test_pyside6_only_in_ui_and_app():
    offenders = {rel: _hits(names, ("PySide6",)) for rel, names in _modules()
                 if not rel.startswith(QT_ALLOWED)}
    assert {rel: hit for rel, hit in offenders.items() if hit} == {}


def test_each_layer_imports_only_what_is_below_it():
    offenders = {}
    for rel, names in _modules():
        for layer, roots in FORBIDDEN.items():
            if rel.startswith(layer) and _hits(names, roots):
                offenders[rel] = _hits(names, roots)
    assert offenders == {}


def test_only_the_entry_points_import_the_demo():
    offenders = {rel: _hits(names, ("iopdesk.demo",)) for rel, names in _modules()
                 if not rel.startswith(DEMO_ALLOWED)}
    assert {rel: hit for rel, hit in offenders.items() if hit} == {}


def test_the_demo_is_no_longer_among_the_services():
    assert sorted(p.name for p in (PACKAGE / "services").glob("demo*.py")) == []


def test_domain_imports_nothing_of_the_project_but_itself():
    for rel, names in _modules():
        if rel.startswith("iopdesk/domain/"):
            project = {n for n in names if n.startswith("iopdesk")}
            assert all(n.startswith("iopdesk.domain") for n in project), (rel, project)


def test_everything_below_ui_imports_with_qt_blocked():
    modules = [rel[:-3].replace("/", ".").removesuffix(".__init__") for rel, _ in _modules()
               if not rel.startswith(QT_ALLOWED) and "/migrations/" not in rel
               and rel != "iopdesk/__main__.py"]
    code = ("import sys\nsys.modules['PySide6'] = None\nimport importlib\n"
            f"for name in {modules!r}:\n    importlib.import_module(name)\nprint('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
