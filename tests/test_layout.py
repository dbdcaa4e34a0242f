"""The house in rooms: one dependency order, read from every module's imports.

Foundation modules sit at the top of the package, each importing only those before it; then the
subpackages, each importing only the foundation and the subpackages before it. Imports inside
functions count as much as those at the top. The package face (``recordskit/__init__.py``, which
hands the public names on lazily) and ``__main__`` stand outside the order.
"""

from __future__ import annotations

import ast
import shutil
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "recordskit"

FOUNDATION = ("errors", "limits", "law", "i18n", "text", "paths", "files", "inputfile",
              "vocabulary", "logged", "models")
"""Foundation modules, lowest first."""
SUBPACKAGES = ("deadlines", "replies", "intake", "directory", "tracking", "clinic", "documents",
               "service", "web", "cli")
"""Subpackages by job, lowest first."""
OUTSIDE = ("recordskit", "recordskit.__main__")
ROOMS = {"documents": ("rendering", "contexts", "", "batch")}
"""Rooms inside a subpackage, lowest first ("" is its own top-level modules): in ``documents``,
turning a context into a file, then what each template receives, then the files of a folder
and the entry points (``make.py``), then a clinic's batch."""


def module_name(path: Path, package: Path) -> str:
    parts = ["recordskit", *path.relative_to(package).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def import_statements(source: str) -> tuple[ast.Import | ast.ImportFrom, ...]:
    """Every import statement of a module's text, at the top or inside a function. Each text is
    parsed and walked once (its statements are only read): a copy of the package with a planted
    import differs in one file, the only one read afresh."""
    return tuple(node for node in ast.walk(ast.parse(source))
                 if isinstance(node, (ast.Import, ast.ImportFrom)))


def imports_of(path: Path, package: Path) -> set[str]:
    """Every recordskit module a file imports, at the top or inside a function."""
    name = module_name(path, package)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in import_statements(path.read_text(encoding="utf-8")):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("recordskit")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("recordskit"):
                continue
            for alias in node.names:  # `from recordskit import inputfile` names a module
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _exists(candidate, package) else base)
    found.discard(name)
    return found


def _exists(module: str, package: Path) -> bool:
    relative = Path(*module.split(".")[1:])
    return (package / relative).with_suffix(".py").exists() or (package / relative).is_dir()


def layer(module: str) -> tuple[int, int]:
    """(rank of the layer, rank inside the foundation) of a module."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in FOUNDATION:
        return 0, FOUNDATION.index(top)
    if top in SUBPACKAGES:
        return 1 + SUBPACKAGES.index(top), 0
    raise AssertionError(f"{module} belongs to no layer: add it to FOUNDATION or SUBPACKAGES")


def room(module: str) -> int:
    """The rank of a module's room inside its subpackage (0 where it has no rooms)."""
    parts = module.split(".")
    rooms = ROOMS.get(parts[1], ()) if len(parts) > 1 else ()
    if not rooms:
        return 0
    inner = parts[2] if len(parts) > 3 or (len(parts) == 3 and parts[2] in rooms) else ""
    return rooms.index(inner) if inner in rooms else rooms.index("")


def graph(package: Path) -> dict[str, set[str]]:
    return {module_name(path, package): imports_of(path, package)
            for path in sorted(package.rglob("*.py"))}


def violations(package: Path) -> list[str]:
    """Every import that runs against the order, and every cycle between modules."""
    edges = graph(package)
    found = []
    for module, targets in edges.items():
        if module in OUTSIDE:
            continue
        for target in sorted(targets):
            if target in OUTSIDE:
                found.append(f"{module} imports the package face {target}")
                continue
            (mine, my_rank), (theirs, their_rank) = layer(module), layer(target)
            if theirs > mine or (mine == theirs == 0 and their_rank >= my_rank) or (
                    mine == theirs and room(target) > room(module)):
                found.append(f"{module} imports {target}, which stands above it")
    found += [f"cycle: {' -> '.join(cycle)}" for cycle in _cycles(
        {m: {t for t in ts if t not in OUTSIDE} for m, ts in edges.items() if m not in OUTSIDE})]
    return found


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], dict.fromkeys(edges, 0)  # 0 new, 1 on the stack, 2 done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target):], node, target][-len(stack) - 2:])
            elif state.get(target) == 0:
                visit(target, [*stack, node])
        state[node] = 2

    for node in sorted(edges):
        if state[node] == 0:
            visit(node, [])
    return cycles


def test_the_package_keeps_its_dependency_order() -> None:
    assert violations(PACKAGE) == []


def test_every_module_has_a_layer() -> None:
    for module in graph(PACKAGE):
        if module not in OUTSIDE:
            layer(module)


FRONT_ENDS = {"cli": ("recordskit.service", "recordskit.web.serve"),
              "web": ("recordskit.service", "recordskit.errors", "recordskit.i18n",
                      "recordskit.limits")}
"""What each front end may import besides its own modules: the service layer's declared surface
(and, for the command line, the web front end's one entry, which ``serve`` starts)."""


def front_end_violations(package: Path) -> list[str]:
    """Every import by a front end of anything but the service surface (and its own modules)."""
    found = []
    for module, targets in graph(package).items():
        front = module.split(".")[1] if module.count(".") else ""
        if front not in FRONT_ENDS:
            continue
        allowed = FRONT_ENDS[front]
        for target in sorted(targets):
            if target.startswith(f"recordskit.{front}") or target in allowed:
                continue
            found.append(f"{module} imports {target}: a front end calls only "
                         f"{', '.join(allowed)}")
    return found


def test_front_ends_call_only_the_service_surface() -> None:
    assert front_end_violations(PACKAGE) == []


# Each plant copies the package (0.15 s of CPU): the quick run plants one, CI all three.
@pytest.mark.parametrize(("module", "planted"), [
    ("cli/new.py", "from recordskit.documents.make import make_request\n"),
    pytest.param("cli/tracking.py",
                 "def _late() -> None:\n    from recordskit.tracking.log import now\n",
                 marks=pytest.mark.slow),
    pytest.param("cli/app.py", "import recordskit.models\n", marks=pytest.mark.slow),
])
def test_the_front_end_rule_catches_a_planted_import(tmp_path: Path, module: str,
                                                     planted: str) -> None:
    copy = tmp_path / "recordskit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    assert front_end_violations(copy) == []
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + planted, encoding="utf-8")
    assert front_end_violations(copy) != []


def test_the_service_surface_is_declared_once_and_resolves() -> None:
    import recordskit.service as service

    for name in service.__all__:
        assert getattr(service, name) is not None, name


def test_subpackage_faces_import_nothing_but_the_cli() -> None:
    """A subpackage's __init__ only says what the subpackage is for: importing one module of it
    must not import the rest (the command line's start-up depends on it). The service layer's
    face declares its surface and loads each name on first use."""
    for name in SUBPACKAGES:
        if name not in ("cli", "service") and (PACKAGE / name / "__init__.py").exists():
            assert imports_of(PACKAGE / name / "__init__.py", PACKAGE) == set(), name


# Each plant copies the package (0.15 s of CPU): the quick run plants three (at the top,
# inside a function, and against the rooms inside documents/), CI all seven.
@pytest.mark.parametrize(("module", "planted"), [
    ("deadlines/schedule.py", "from recordskit.documents.contexts.letter import law_data\n"),
    pytest.param("law.py", "from recordskit.models import Agency\n", marks=pytest.mark.slow),
    ("documents/contexts/letter.py",
     "def _late() -> None:\n    from recordskit.cli.app import today\n"),
    pytest.param("intake/privacy.py", "from recordskit.intake.interview import run_interview\n",
                 marks=pytest.mark.slow),
    pytest.param("documents/contexts/letter.py",
                 "from recordskit.documents.make import prepare_request\n",
                 marks=pytest.mark.slow),
    # rooms inside documents/: no cycle here, only the rooms' order catches them
    ("documents/rendering/docx_text.py",
     "from recordskit.documents.contexts.family_words import deadline_in_words\n"),
    pytest.param("documents/contexts/letter.py",
                 "from recordskit.documents.instructions import how_to_send\n",
                 marks=pytest.mark.slow),
])
def test_the_order_test_catches_a_planted_import(tmp_path: Path, module: str,
                                                 planted: str) -> None:
    copy = tmp_path / "recordskit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + planted, encoding="utf-8")
    assert violations(copy) != []


def test_no_function_level_import_outside_the_command_line() -> None:
    """Library modules import at the top, so their dependencies show. Only the command line (for
    start-up) and a few slow libraries that most runs never need import late: holidays (for
    commands that count no days), Babel (on the start-up path through the event vocabulary),
    openpyxl (XLSX files only), the batch renderer (loaded only where rows are rendered), the
    calendar writer (a tenth of every other command's start-up), the PostgreSQL driver and
    the password hasher (optional extras, for a shared log and a clinic's server only), and
    what a log with no request never needs (`status` and `log export` on an empty log start
    without them: tests/test_startup_imports.py): the request's models and the input reader
    (pydantic, YAML), the events' types, the agency directory, the timelines and the stored
    standings, and the file writer, the nearest-word suggestion and the login name (each a
    millisecond or more)."""
    allowed = {"recordskit.deadlines.calendars": {"holidays"}, "recordskit.i18n": {"babel"},
               "recordskit.intake.rows": {"openpyxl"},
               "recordskit.documents.batch.run": {"recordskit.documents.batch.worker"},
               "recordskit.tracking.open": {"recordskit.tracking.postgres"},
               "recordskit.tracking.log": {"recordskit.models", "recordskit.inputfile",
                                           "recordskit.logged", "getpass"},
               "recordskit.service.workspace": {"recordskit.directory.load",
                                                "recordskit.logged"},
               "recordskit.service.tracking": {"recordskit.documents.exports", "difflib",
                                               "recordskit.files", "recordskit.logged",
                                               "recordskit.deadlines.followups",
                                               "recordskit.tracking.service",
                                               "recordskit.tracking.standing",
                                               "recordskit.tracking.settle",
                                               "recordskit.tracking.transfer"},
               "recordskit.clinic.accounts": {"argon2"}}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path, PACKAGE)
        if name.startswith("recordskit.cli") or name in OUTSIDE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = {node.module or ""} if isinstance(node, ast.ImportFrom) else {
                        alias.name for alias in node.names}
                    roots = {n.split(".")[0] for n in names} | names
                    if not names <= allowed.get(name, set()) and not (
                            roots - names) <= allowed.get(name, set()):
                        found.append(f"{name}: {function.name} imports {', '.join(names)}")
    assert found == []


def test_every_state_has_words() -> None:
    from recordskit.service import State
    from recordskit.service.words import STATE_WORDS

    assert set(STATE_WORDS) == set(State)
    assert all(STATE_WORDS[state] == state.value for state in State)


def test_the_ways_of_sending_are_the_vocabularys() -> None:
    from typing import get_args

    from recordskit.models import CHANNELS, Channel
    from recordskit.service import Delivery

    assert CHANNELS == tuple(way.value for way in Delivery) == get_args(Channel)
