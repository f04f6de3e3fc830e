"""The house rules of the code, checked: dependency direction, no import cycles, module size.

- Direction (README, "Where things are"): `search → disclosures → guides → portal → core`, an
  import-linter layers contract in pyproject.toml with its listed exceptions. Every import
  counts, also one inside a function.
- No cycles among the project's modules through their top-level imports.
- No module over 600 lines, outside migrations and the data files listed below.
- core/ is model-free.

No database, no Django set-up: these read the source.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "portal", "guides", "disclosures", "search")
MAX_LINES = 600
DATA_FILES = {"guides/demo_catalog.py"}  # the demo catalog: data written as Python
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def project_modules(root=ROOT, apps=APPS):
    """{dotted name: path} of every project module outside migrations."""
    modules = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _resolve(name, modules):
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def _is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def top_level_imports(name, path, modules):
    """The project modules `name` imports when it is loaded (not inside functions or classes' methods)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
                continue
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
                continue
            elif isinstance(node, ast.ClassDef):
                visit([n for n in node.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)])
                continue
            else:
                continue
            for target in targets:
                resolved = _resolve(target, modules)
                if resolved and resolved != name:
                    found.add(resolved)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def import_cycles(modules):
    """Strongly connected components (size > 1, or a module importing itself) of the top-level import graph."""
    graph = {name: top_level_imports(name, path, modules) for name, path in modules.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def connect(node):
        # Iterative Tarjan: deep import chains must not hit the recursion limit.
        work = [(node, iter(sorted(graph[node])))]
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[current] = min(low[current], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[current])
                if low[current] == index[current]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == current:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            connect(name)
    return cycles


def lint_imports(cwd=ROOT, config=None):
    command = [str(LINT_IMPORTS), "--no-cache"]
    if config:
        command += ["--config", str(config)]
    env = {"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


def test_dependencies_point_one_way():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_a_new_arrow_against_the_direction_breaks_the_contract(tmp_path):
    """The same contract on a copy of the sources with one new import of search from guides."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "templates", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "guides" / "arrow_against_direction.py").write_text("from search import ranking  # noqa\n")
    result = lint_imports(cwd=tmp_path, config=tmp_path / "pyproject.toml")
    assert result.returncode != 0, result.stdout
    assert "guides.arrow_against_direction -> search.ranking" in result.stdout


def test_no_import_cycles_among_project_modules():
    assert import_cycles(project_modules()) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from . import views\n")
    (package / "views.py").write_text("import os\n\nfrom app.forms import Form\n")
    (package / "forms.py").write_text("from .models import Model\n\n\ndef later():\n    from . import other\n")
    (package / "other.py").write_text("from . import forms\n")
    assert import_cycles(project_modules(tmp_path, ("app",))) == [["app.forms", "app.models", "app.views"]]


def test_no_module_over_600_lines():
    too_long = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in DATA_FILES:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[relative] = lines
    assert too_long == {}


def test_core_is_model_free():
    for path in (ROOT / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                assert not bases & {"models.Model", "Model", "Page"}, f"{path}: {node.name}"
    assert not (ROOT / "core" / "models.py").exists()
