"""The shape holds: the library imports without the book, and the imports of both packages form layers.

* ``crmlib`` and every crmlib module import in a fresh interpreter without loading ``crmbook`` or the
  notebook stack (papermill, ipywidgets, IPython, nbformat, sphinx);
* a static walk of every import of both packages (module level and inside functions, relative imports
  resolved) finds no import circle, no crmlib → crmbook edge, and no private name ``_x`` of one module
  taken by another (a package's own private helper modules, e.g. ``crmlib._validate``, are for that
  package's modules only).
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crmlib", "crmbook")
#: What the library must not load: the book, and the notebook and site stack the book uses.
FORBIDDEN = ("crmbook", "papermill", "ipywidgets", "IPython", "nbformat", "sphinx")


# ------------------------------------------------------------------ the library without the book
def test_crmlib_imports_without_the_book_in_a_fresh_interpreter():
    code = f"""
import importlib, json, pkgutil, sys
import crmlib
names = ["crmlib"] + [m.name for m in pkgutil.walk_packages(crmlib.__path__, "crmlib.")]
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
print(json.dumps({{"imported": names, "forbidden": loaded}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"crmlib.loss", "crmlib.clv", "crmlib.plotting.roi", "crmlib.datasets"} <= set(found["imported"])
    assert found["forbidden"] == [], f"importing crmlib loaded {found['forbidden']}"


# ------------------------------------------------------------------ the static import graph
def _module_files() -> dict[str, Path]:
    mods = {}
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(f.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = f
    return mods


MODULES = _module_files()


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _top(module: str) -> str:
    return module.split(".")[0]


def _private_module_ok(importer: str, target: str) -> bool:
    """Whether ``importer`` may use module ``target`` whose path has a private part (``crmlib._validate``):
    only a module of the same package may use its private helper modules."""
    return _top(importer) == _top(target)


def _resolve(importer: str, level: int, module: str | None) -> str:
    """The absolute name of ``from <level dots><module> import …`` written in ``importer``."""
    if level == 0:
        return module or ""
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _owning_module(name: str) -> str | None:
    """The longest prefix of the dotted ``name`` that is a module of ours."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in MODULES:
            return ".".join(parts[:k])
    return None


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Edges importer -> imported module (ours only) and the private-name findings."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    private: list[str] = []
    for mod, file in MODULES.items():
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        bound: dict[str, str] = {}       # local name -> module of ours it refers to

        def use(target: str, what: str, mod: str = mod) -> None:
            edges[mod].add(target)
            parts = target.split(".")
            if any(_is_private(p) for p in parts[1:]) and not _private_module_ok(mod, target):
                private.append(f"{mod} {what} the private module {target} of another package")

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _owning_module(alias.name)
                    if target is None:
                        continue
                    use(target, "imports")
                    head = alias.name.split(".")[0]
                    bound[alias.asname or head] = target if alias.asname else head
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, node.level, node.module)
                owner = _owning_module(base)
                if owner is None:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in MODULES:
                        use(sub, "imports")
                        bound[alias.asname or alias.name] = sub
                        continue
                    use(owner, "imports from")
                    if _is_private(alias.name) and owner != mod:
                        private.append(f"{mod} imports the private name {owner}.{alias.name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                    and _is_private(node.attr) and f"{bound[node.value.id]}.{node.attr}" not in MODULES
                    and bound[node.value.id] != mod):
                private.append(f"{mod} uses the private name {bound[node.value.id]}.{node.attr}")
    for m in edges:
        edges[m].discard(m)
    return edges, sorted(set(private))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected component of more than one module, as a path a → … → a."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
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
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    out = []
    for comp in comps:                       # a shortest circle through the component's first module
        start, members = comp[0], set(comp)
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop(0)
            nxt = sorted(w for w in edges[path[-1]] if w in members)
            if start in nxt:
                out.append(path + [start])
                break
            for w in nxt:
                if w not in seen:
                    seen.add(w)
                    paths.append(path + [w])
    return out


def findings() -> list[str]:
    """Every fault of the import graph, one line each."""
    edges, private = import_graph()
    faults = [f"import circle: {' -> '.join(c)}" for c in cycles(edges)]
    faults += [f"the library imports the book: {a} -> {b}" for a, bs in sorted(edges.items()) for b in sorted(bs)
               if _top(a) == "crmlib" and _top(b) == "crmbook"]
    return faults + private


def test_the_import_graph_has_layers_and_no_circle():
    faults = findings()
    assert not faults, "\n".join(faults)


# ------------------------------------------------------------------ the checks notice what they look for
def test_the_walk_finds_circles_book_edges_and_private_names(monkeypatch, tmp_path):
    texts = {
        "crmlib": "",
        "crmlib._validate": "def check(x):\n    return x\n",
        "crmlib.a": "def f():\n    from .b import g\n    return g\n",
        "crmlib.b": "from . import a\nfrom ._validate import check\n\ndef g():\n    return check(a._h())\n",
        "crmlib.d": "import crmbook.c\n",
        "crmbook": "",
        "crmbook.c": "from crmlib.a import _secret\nfrom crmlib import _validate\n",
    }
    files = {}
    for name, text in texts.items():
        parts = name.split(".")
        f = tmp_path.joinpath(*parts[:1], *(parts[1:] or ["__init__"])).with_suffix(".py")
        if len(parts) == 1:
            f = tmp_path / parts[0] / "__init__.py"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
        files[name] = f
    monkeypatch.setitem(globals(), "MODULES", files)
    found = findings()
    assert "import circle: crmlib.a -> crmlib.b -> crmlib.a" in found            # a function-level import counts
    assert "the library imports the book: crmlib.d -> crmbook.c" in found
    assert "crmbook.c imports the private name crmlib.a._secret" in found
    assert "crmlib.b uses the private name crmlib.a._h" in found
    assert "crmbook.c imports the private module crmlib._validate of another package" in found
    assert not [f for f in found if "crmlib.b imports" in f]                     # its own package's _validate


def test_crmlib_names_every_public_module_of_its_top_level():
    """``crmlib.SUBMODULES`` (the lazy attributes and ``__all__``) is the list of public modules and
    subpackages on disk: a new module is reachable as ``crmlib.<name>`` and documented."""
    import crmlib

    root = Path(crmlib.__file__).parent
    on_disk = {p.stem for p in root.glob("*.py") if not p.stem.startswith("_")}
    on_disk |= {p.parent.name for p in root.glob("*/__init__.py") if not p.parent.name.startswith("_")}
    assert set(crmlib.SUBMODULES) == on_disk, (sorted(on_disk - set(crmlib.SUBMODULES)),
                                               sorted(set(crmlib.SUBMODULES) - on_disk))
    assert len(set(crmlib.SUBMODULES)) == len(crmlib.SUBMODULES)
    for name in crmlib.SUBMODULES:
        assert getattr(crmlib, name).__name__ == f"crmlib.{name}"
