"""environment.yml (for conda users) names the same packages and bounds as pyproject.toml."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: pip vendors a TOML reader
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

# PyPI name -> conda-forge name where they differ
CONDA_NAME = {"playwright": "playwright", "duckdb": "python-duckdb"}


def _norm(req: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"])
    for extra, deps in data["project"].get("optional-dependencies", {}).items():
        reqs += deps
    out = dict(_norm(r) for r in reqs)
    out["python"] = data["project"]["requires-python"].replace(" ", "")
    return out


def _environment() -> dict[str, str]:
    out = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", line):
            break
        m = re.match(r"^  - (?!pip:)([^#\s][^#]*?)\s*(#.*)?$", line)
        if in_deps and m:
            name, spec = _norm(m.group(1))
            if name != "pip":
                out[name] = spec
    return out


def test_environment_matches_pyproject():
    py, env = _pyproject(), _environment()
    py_names = {CONDA_NAME.get(n, n): s for n, s in py.items()}
    assert set(py_names) == set(env), (
        f"only in pyproject: {sorted(set(py_names) - set(env))}; only in environment.yml: "
        f"{sorted(set(env) - set(py_names))}")
    diff = {n: (py_names[n], env[n]) for n in py_names if py_names[n] != env[n]}
    assert not diff, f"version bounds differ (pyproject, environment.yml): {diff}"


def test_environment_installs_the_project_itself():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+- -e \.\s*$", text, re.M), "environment.yml must pip-install the project (-e .)"


def test_parser_sees_a_disagreement(tmp_path, monkeypatch):
    """Negative control: dropping a package from environment.yml is noticed."""
    env = (ROOT / "environment.yml").read_text(encoding="utf-8").replace("  - seaborn", "  # seaborn")
    assert "seaborn" not in _environment_from(env)


def _environment_from(text: str) -> dict[str, str]:
    global ROOT
    saved = ROOT
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "environment.yml").write_text(text, encoding="utf-8")
        ROOT = Path(d)
        try:
            return _environment()
        finally:
            ROOT = saved
