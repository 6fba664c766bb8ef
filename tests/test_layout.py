"""The package's layout follows its data flow: no import cycles, no private names across packages,
no module longer than ~600 lines, and every stage imports only stages before it.

Run ``python tests/test_layout.py`` to print the package-level import graph and module sizes.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "zzanalytics"
MAX_LINES = 650  # "none over ~600"
RATCHET = {  # modules still over the limit: they may shrink, never grow; split them when you touch them
}

# Stages in data-flow order; a module may import its own stage and the stages listed before it.
ORDER = [
    {"errors", "sql", "clock", "config", "wording", "schema", "privacy", "outputs"},
    {"store"},
    {"ingest"},
    {"sample"},
    {"workspace", "execution", "aggregate"},
    {"models", "spatial"},
    {"report"},
    {"cli", "__init__", "__main__"},
]


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (the notebooks link excluded)."""
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def imports(path: Path, name: str, known: set[str]) -> list[tuple[str, list[str]]]:
    """(imported zzanalytics module, names taken from it) for every import, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("zzanalytics")]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([mod] if mod else []))
            if not mod.startswith("zzanalytics"):
                continue
            names = []
            for a in node.names:
                sub = f"{mod}.{a.name}"
                if sub in known:  # `from package import submodule`
                    out.append((sub, []))
                else:
                    names.append(a.name)
            if names:
                out.append((mod, names))
    return out


def graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module import graph and the private names imported across packages."""
    mods = modules()
    known = set(mods)
    edges: dict[str, set[str]] = defaultdict(set)
    private = []
    for name, path in mods.items():
        for target, names in imports(path, name, known):
            if target == name or (target == "zzanalytics" and not names):
                continue
            edges[name].add(target)
            src_pkg, dst_pkg = _package(name, mods), _package(target, mods)
            for n in names:
                if n.startswith("_") and src_pkg != dst_pkg:
                    private.append(f"{name} imports {n} from {target}")
            if target.rsplit(".", 1)[-1].startswith("_") and src_pkg != _package(target, mods, parent=True):
                private.append(f"{name} imports the private module {target}")
    return edges, private


def _package(name: str, mods: dict[str, Path], parent: bool = False) -> str:
    path = mods.get(name)
    if path is not None and path.name == "__init__.py" and not parent:
        return name
    return name.rsplit(".", 1)[0]


def stage(name: str) -> int:
    parts = name.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for i, group in enumerate(ORDER):
        if top in group:
            return i
    raise AssertionError(f"{name}: module of no stage; add {top!r} to ORDER in tests/test_layout.py")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    edges, _ = graph()
    assert cycles(edges) == []


def test_no_private_names_across_packages() -> None:
    _, private = graph()
    assert private == []


def test_stages_import_only_earlier_stages() -> None:
    edges, _ = graph()
    wrong = [
        f"{a} ({ORDER[stage(a)]}) imports {b} ({ORDER[stage(b)]})"
        for a, targets in edges.items()
        for b in targets
        if b != "zzanalytics" and stage(b) > stage(a)
    ]
    assert wrong == []


def test_modules_stay_short() -> None:
    long = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in modules().items()}
    assert {n: k for n, k in long.items() if k > RATCHET.get(n, MAX_LINES)} == {}


def test_the_checker_sees_a_planted_cycle_and_a_private_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree_src = "from zzanalytics.models.engine import _secret\n"
    mods = {"zzanalytics.report.x": Path("x.py"), "zzanalytics.models.engine": Path("e.py")}
    found = []
    for target, names in imports_from_source(tree_src, "zzanalytics.report.x", set(mods)):
        found += [
            n
            for n in names
            if n.startswith("_") and _package("zzanalytics.report.x", mods) != _package(target, mods)
        ]
    assert found == ["_secret"]


def imports_from_source(src: str, name: str, known: set[str]) -> list[tuple[str, list[str]]]:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(src)
    return imports(Path(f.name), name, known)


if __name__ == "__main__":
    edges, private = graph()
    pkg_edges: dict[str, set[str]] = defaultdict(set)
    for a, targets in edges.items():
        for b in targets:
            pa, pb = ".".join(a.split(".")[:2]), ".".join(b.split(".")[:2])
            if pa != pb and pb != "zzanalytics":
                pkg_edges[pa].add(pb)
    print("package import graph (stage order):")
    for p in sorted(pkg_edges, key=lambda n: (stage(n + ".x") if n.count(".") == 1 else 99, n)):
        print(f"  {p:<24} -> {', '.join(sorted(pkg_edges[p]))}")
    print("cycles:", cycles(edges) or "none")
    print("private names across packages:", private or "none")
    sizes = sorted(
        ((len(p.read_text(encoding="utf-8").splitlines()), n) for n, p in modules().items()), reverse=True
    )
    print("largest modules:", ", ".join(f"{n} {k}" for k, n in sizes[:8]))
