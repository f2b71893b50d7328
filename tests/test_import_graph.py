"""The direction of imports inside ecomintel, read from the source with `ast` (nothing is imported).

Rules (DESIGN §1, §5; issue 7 item 10):
- no import cycles among ecomintel modules — counting every import, also those inside functions (a lazy
  import hides a cycle from the interpreter, not from the reader) but not those under `if TYPE_CHECKING:`
  (annotations only; they never run). The one allowed exception is listed in LAZY_REGISTRY_EDGES with why;
  a new cycle fails;
- `ecomintel.llm` never imports `ecomintel.ask` (the LLM planner lives in ask/, providers in llm/);
- nothing in ecomintel imports streamlit (the core has no UI) or `workers` (workers/ imports the core, never
  the reverse);
- migrations import no ecomintel code except the schema their environment compares against: a migration must
  do forever what it did the day it was written (migration 0003 carries a frozen copy of what it needs);
- answering a question imports no heavy library (scipy, scikit-learn, forecasting, models) up front: agents
  import them inside the functions that need them (this one test imports, in a subprocess).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ecomintel"
MIGRATIONS = PACKAGE / "db" / "migrations"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_block(node: ast.stmt) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST, type_checking: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth (inside `if TYPE_CHECKING:` blocks only if `type_checking`)."""
    for node in ast.iter_child_nodes(tree):
        if not type_checking and _type_checking_block(node):  # type: ignore[arg-type]
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node, type_checking)


def imported_modules(path: Path, known: set[str], root: Path = ROOT, *, type_checking: bool = False) -> set[str]:
    """Modules `path` imports, as dotted names; `from pkg import name` counts as pkg.name when that is a module."""
    own = module_name(path, root)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8")), type_checking):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        found.add(base)
        found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known)
    return found


def source_files(folder: Path, *, skip_migrations: bool = True) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if not (skip_migrations and MIGRATIONS in p.parents))


def graph() -> dict[str, set[str]]:
    """ecomintel module → the ecomintel modules it imports."""
    files = source_files(PACKAGE)
    known = {module_name(p) for p in files}
    return {module_name(p): {m for m in imported_modules(p, known) if m in known and m != module_name(p)}
            for p in files}


# Registry lookups by name that import an implementation when it is chosen; the implementation imports the
# protocol module back for its types. (Issue 7 report: moving `make_llm` into a module of its own would
# remove these too.)
LAZY_REGISTRY_EDGES = {
    ("ecomintel.llm.client", "ecomintel.llm.openai_provider"),  # make_llm: the SDK only when configured
    ("ecomintel.llm.client", "ecomintel.llm.gemini_provider"),
}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, …, a], or None (depth-first search with colours)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_graph_sees_lazy_imports_and_skips_type_checking_ones(tmp_path: Path) -> None:
    """The reader itself, on a hand-made package (so the rules below cannot pass by reading nothing)."""
    pkg = tmp_path / "ecomintel"
    (pkg / "sub").mkdir(parents=True)
    for name in ("__init__.py", "sub/__init__.py", "sub/b.py", "c.py"):
        (pkg / name).write_text("")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nfrom .sub import b\nif TYPE_CHECKING:\n"
                              "    from ecomintel import c\ndef f():\n    import ecomintel.c as cc\n    return cc\n")
    known = {"ecomintel", "ecomintel.a", "ecomintel.c", "ecomintel.sub", "ecomintel.sub.b"}
    assert imported_modules(pkg / "a.py", known, tmp_path) == {"typing", "ecomintel.sub", "ecomintel.sub.b",
                                                               "ecomintel.c"}
    (pkg / "d.py").write_text("if TYPE_CHECKING:\n    import ecomintel.sub.b\n")
    assert imported_modules(pkg / "d.py", known, tmp_path) == set()
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_in_ecomintel() -> None:
    edges = graph()
    assert len(edges) > 40 and "ecomintel.ask.service" in edges  # the graph really covers the package
    for source, target in LAZY_REGISTRY_EDGES:
        assert target in edges[source], f"{source} no longer imports {target}: drop it from LAZY_REGISTRY_EDGES"
        edges[source] = edges[source] - {target}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_llm_never_imports_ask() -> None:
    """Not even for annotations: llm/ is the lower layer."""
    files = [p for p in source_files(PACKAGE) if module_name(p).startswith("ecomintel.llm")]
    assert files
    wrong = {module_name(p): sorted(m for m in imported_modules(p, set(), type_checking=True)
                                    if m.startswith("ecomintel.ask"))
             for p in files}
    assert not {m: t for m, t in wrong.items() if t}


@pytest.mark.parametrize("forbidden", ["streamlit", "workers", "ui", "pages"])
def test_the_core_never_imports_the_ui_or_the_workers(forbidden: str) -> None:
    files = source_files(PACKAGE, skip_migrations=False)
    wrong = [module_name(p) for p in files
             if any(m == forbidden or m.startswith(forbidden + ".")
                    for m in imported_modules(p, set(), type_checking=True))]
    assert not wrong, f"{forbidden} imported by {wrong}"


def test_migrations_import_no_live_ecomintel_code() -> None:
    allowed = {"ecomintel.db.models"}  # env.py: the schema alembic compares against
    wrong = {}
    for path in source_files(MIGRATIONS, skip_migrations=False):
        found = {m for m in imported_modules(path, set()) if m.startswith("ecomintel")} - allowed
        if found:
            wrong[path.name] = sorted(found)
    assert not wrong


def test_workers_are_a_thin_entry_point() -> None:
    """workers/ imports the core; what it needs from ecomintel is the worker runtime and settings, no internals."""
    used = set().union(*(imported_modules(p, set()) for p in source_files(ROOT / "workers")))
    assert {m for m in used if m.startswith("ecomintel")} <= {"ecomintel.config", "ecomintel.errors",
                                                               "ecomintel.worker_runtime"}


def test_no_module_borrows_another_modules_private_names() -> None:
    """`from ecomintel.x import _helper` means the helper is shared: make it public where it belongs
    (cache._redact became ecomintel.redact.redact_url)."""
    files = [*source_files(PACKAGE), *source_files(ROOT / "workers"), *source_files(ROOT / "ui"),
             *source_files(ROOT / "pages")]
    wrong = []
    for path in files:
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")), type_checking=True):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ecomintel"):
                wrong += [f"{module_name(path)}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert not wrong


HEAVY = ("scipy", "sklearn", "statsforecast", "mlforecast", "lightgbm", "prophet", "transformers", "torch",
         "vaderSentiment", "datasketch", "numba", "streamlit")


def test_answering_a_question_imports_no_heavy_library_up_front() -> None:
    """Every `ecomintel ask` imports the planner, the executor and every registered agent; an agent that imports
    scipy or scikit-learn at module level adds seconds to every question, even one it never answers. Heavy
    libraries are imported inside the functions that use them."""
    code = ("import sys, ecomintel.ask.service, ecomintel.agents.registry, ecomintel.cli; "
            f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
