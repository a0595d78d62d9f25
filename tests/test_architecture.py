"""The house holds together without a lucky import order: every module imports first in a fresh
interpreter, and no two modules import each other, directly or round a longer loop.

The direction of imports between rooms is `lint-imports` (contracts in pyproject.toml), which
`make test` runs; this file checks what a layer contract cannot: cycles inside a layer, and
modules that only worked because Django's admin autodiscovery imported others first.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("uploads", "portal")

# Django set up with the admin's autodiscovery off (SimpleAdminConfig), so nothing of the project is
# imported but the models; then a forked child per module imports that module first, as if it were
# the first thing a fresh interpreter imported (forking is what keeps a hundred of them quick).
IMPORT_EACH_FIRST = """
import importlib, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
from django.conf import settings
settings.INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig" if app == "portal.apps.PortalAdminConfig" else app
    for app in settings.INSTALLED_APPS
]
import django
django.setup()
# Third-party modules the project imports, loaded once before the forks (each child would load
# them again: two thirds of this test's time). They cannot hide a project module's import order.
for name in os.environ["THIRD_PARTY_MODULES"].split():
    try:
        importlib.import_module(name)
    except Exception:
        pass  # an optional extra not installed: the child that needs it says so
for name in sys.argv[1:]:
    child = os.fork()
    if child == 0:
        try:
            importlib.import_module(name)
        except BaseException as error:
            print(f"{name}: {type(error).__name__}: {error}", flush=True)
            os._exit(1)
        os._exit(0)
    os.waitpid(child, 0)
"""


def project_modules() -> list[str]:
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or path.name == "gunicorn.conf.py":
                continue  # gunicorn's config is read by gunicorn, not imported
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def third_party_imports() -> list[str]:
    """Every module outside the project that a project module imports by name."""
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
    return sorted(name for name in names if name.split(".")[0] not in PACKAGES)


@pytest.mark.server
def test_it_imports_every_module_first_in_a_fresh_interpreter():
    modules = project_modules()
    assert "uploads.events" in modules and "uploads.admin.requests" in modules
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *modules],
        env={**os.environ, "THIRD_PARTY_MODULES": " ".join(third_party_imports())},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == []


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import one another round a loop (strongly connected)."""
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    # Tarjan's strongly connected components, iteratively (the graph is small, the stack is not).
    for start in modules:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_it_has_no_import_cycle_between_modules():
    assert (
        import_cycles(
            grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)
        )
        == []
    )


def test_it_finds_a_cycle_when_there_is_one(tmp_path, monkeypatch):
    """The cycle check above is not vacuous: two modules importing each other are found."""
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loop import b\n")
    (package / "b.py").write_text("from loop import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (package / "c.py").write_text("from loop import a\n")  # imports into the loop, not part of it
    assert import_cycles(grimp.build_graph("loop", cache_dir=None)) == [["loop.a", "loop.b"]]
