"""The library's shape: no import cycles, no Streamlit, and every module imports on its own."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from vru_core.platform.config import REPO_ROOT

ROOT = REPO_ROOT / "vru_core"


def _module_name(path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, module_level_only: bool) -> set[str]:
    """Modules named by the import statements: at module level (what runs on import), or anywhere."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if module_level_only and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if module_level_only and isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                for alias in child.names:  # `from pkg import mod` depends on pkg.mod when that is a module
                    sub = f"{child.module}.{alias.name}"
                    found.add(sub if sub in MODULES else child.module)
            visit(child)

    visit(tree)
    return found


GRAPH = {
    name: {m for m in _imports(ast.parse(path.read_text()), module_level_only=True) if m in MODULES and m != name}
    for name, path in MODULES.items()
}


def _cycle() -> list[str] | None:
    """One import cycle among vru_core modules (depth-first search), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node], _ = 1, path.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        state[node], _ = 2, path.pop()
        return None

    for start in sorted(GRAPH):
        if start not in state and (found := walk(start)):
            return found
    return None


def test_vru_core_has_no_import_cycles():
    assert len(GRAPH) > 40 and any(GRAPH.values())  # the graph was really built
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_finds_a_cycle():
    GRAPH["vru_core.platform.config"].add("vru_core.needs.scoring")  # scoring -> ... -> config -> scoring
    try:
        assert _cycle() is not None
    finally:
        GRAPH["vru_core.platform.config"].discard("vru_core.needs.scoring")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nothing_in_vru_core_imports_streamlit(name):
    imported = _imports(ast.parse(MODULES[name].read_text()), module_level_only=False)
    assert not {m for m in imported if m.split(".")[0] == "streamlit"}, f"{name} imports streamlit"


def test_every_module_imports_in_a_fresh_interpreter():
    """One interpreter that has imported nothing of ours imports every module (the cycle check above is what
    makes the order irrelevant; importing a module per interpreter would cost minutes for no more)."""
    names = [n for n in sorted(MODULES) if not n.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "importing vru_core loads Streamlit: " + result.stdout
