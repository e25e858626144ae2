"""The chapter kernel: code typed with a Chinese input method runs, and out-of-order cells say what to run.

The notebooks run on the project's own Jupyter kernel, **CRM Notebooks** (``crm-notebooks``): an
ordinary IPython kernel started with ``--ext crmbook.kernel``, so this module is loaded when the
kernel starts — also after *Kernel → Restart*, before any cell of the chapter has run. It adds two
things to the kernel (:func:`load_ipython_extension`):

* an **input transformer** (:func:`fix_code`) that, in a cell Python cannot read, replaces outside
  string literals and comments what an input method types for ASCII — full-width digits, letters and
  punctuation (``８７``, ``，``, ``（）``), the ideographic space U+3000, curly quotes and corner
  brackets used as quotes (``“B”``, ``「B」``) — and, in a line ``answer_N_k = …`` that is still not
  Python (``340 位``, ``11,067``), puts the answer in quotes for the checker to read. A cell
  Python can read is never changed;
* an **exception handler** for :class:`NameError` and :class:`crmbook.parameters.ParameterError`
  that shows one sentence in the chapter's language instead of a traceback when a chapter name is
  used before the cell that makes it has run (``ch``, ``ex``, ``lang`` after a restart: "run the
  chapter's first cells"; a name made further down: "run the cells above"), when an answer letter
  is typed without quotes (``answer_2_4 = B``), and for a parameter out of its range. Every other
  error keeps its traceback.

The kernel spec is installed into the environment by ``python tools/dev.py setup`` (or
``python -m crmbook.kernel``); the notebooks name it in their metadata. In a kernel started
otherwise, :func:`crmbook.parameters.check_parameters` (each chapter's second cell) loads the same
extension, so everything but the restart case works there too.
"""
from __future__ import annotations

import ast
import functools
import json
import os
import re
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any

from crmlib.i18n import LANGS, t
from .errors import SentenceError
from .typed import CODE_PUNCTUATION, QUOTES

__all__ = ["KERNEL_NAME", "DISPLAY_NAME", "fix_code", "explain", "install", "load_ipython_extension",
           "install_kernel_spec", "kernel_spec_installed", "chapter_names"]

KERNEL_NAME = "crm-notebooks"
DISPLAY_NAME = "Python 3 (CRM Notebooks)"
_ANSWER_LINE = re.compile(r"^(?P<head>[ \t]*answer_\d+_\d+[ \t]*=[ \t]*)(?P<rhs>.*?)[ \t]*$")
_INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff")


def _plain_char(c: str) -> str:
    """What an input-method character outside a string stands for in Python ('' to drop it)."""
    if c in _INVISIBLE:
        return ""
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:                       # full-width ASCII
        return chr(o - 0xFEE0)
    if c == "\u00a0":
        return " "
    return QUOTES.get(c, CODE_PUNCTUATION.get(c, c))


def _closes(c: str, quote: str) -> bool:
    return c == quote or _plain_char(c) == quote


def _end_of_string(src: str, i: int, quote: str, curly: bool) -> tuple[int, bool]:
    """Index of the quote that ends the one-line string opened before ``i``, and whether it is a
    look-alike (a curly quote) to replace; (-1, False) when the line has none."""
    last_alike = -1
    j = i
    while j < len(src) and src[j] != "\n":
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j, False
        if _closes(c, quote):
            if curly:
                return j, True
            last_alike = j
        j += 1
    return (last_alike, True) if last_alike >= 0 else (-1, False)


def _normalize_outside_strings(src: str) -> str:
    """``src`` with input-method characters replaced outside string literals and comments."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        p = _plain_char(c)
        if p == "#":
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append("#" + src[i + 1:j])
            i = j
            continue
        if p in ('"', "'"):
            triple = src[i:i + 3] == p * 3
            if triple:
                j = src.find(p * 3, i + 3)
                j = n if j < 0 else j + 3
                out.append(src[i:j])
                i = j
                continue
            end, alike = _end_of_string(src, i + 1, p, curly=c != p)
            if end < 0:
                out.append(p)
                i += 1
                continue
            out.append(p + src[i + 1:end] + (p if alike else src[end]))
            i = end + 1
            continue
        out.append(p)
        i += 1
    return "".join(out)


def _compiles(src: str) -> bool:
    try:
        compile(src, "<cell>", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError):
        return False


def _quote_answers(src: str) -> str:
    """Lines ``answer_N_k = <not Python>`` with the answer put in quotes (the checker reads the text)."""
    lines = src.split("\n")
    for k, line in enumerate(lines):
        m = _ANSWER_LINE.match(line)
        if m and m.group("rhs") and not _compiles(line.strip()):
            lines[k] = m.group("head") + repr(m.group("rhs"))
    return "\n".join(lines)


def fix_code(source: str) -> str:
    """The cell ``source`` made readable by Python, if what stops it is input-method typing.

    A cell that compiles is returned unchanged; so is one that still does not compile after the
    repair (Python's own error then names the original line).

    Parameters
    ----------
    source : str
        The cell's code.

    Returns
    -------
    str
    """
    if _compiles(source):
        return source
    fixed = _normalize_outside_strings(source)
    if not _compiles(fixed):
        fixed = _quote_answers(fixed)
    return fixed if _compiles(fixed) else source


def _transformer(lines: list[str]) -> list[str]:
    src = "".join(lines)
    fixed = fix_code(src)
    return lines if fixed == src else fixed.splitlines(keepends=True)


# ----------------------------------------------------------------------------------- names of the chapters
def _bound_names(src: str) -> set[str]:
    """Names a cell binds at its top level (assignments, imports, defs, loop and with targets)."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set()
    names: set[str] = set()

    def targets(node: Any) -> None:
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                names.add(n.id)

    def visit(stmts: list[ast.stmt]) -> None:
        for s in stmts:
            if isinstance(s, (ast.Assign,)):
                for tg in s.targets:
                    targets(tg)
            elif isinstance(s, (ast.AugAssign, ast.AnnAssign)):
                targets(s.target)
            elif isinstance(s, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in s.names)
            elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(s.name)
            elif isinstance(s, (ast.For, ast.AsyncFor)):
                targets(s.target)
                visit(s.body + s.orelse)
            elif isinstance(s, (ast.With, ast.AsyncWith)):
                for item in s.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
                visit(s.body)
            elif isinstance(s, (ast.If, ast.While)):
                visit(s.body + s.orelse)
            elif isinstance(s, ast.Try):
                visit(s.body + s.orelse + s.finalbody + [x for h in s.handlers for x in h.body])
    visit(tree.body)
    return names


def _code_cells(notebook: Path) -> list[str]:
    doc = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in doc.get("cells", []) if c.get("cell_type") == "code"]


@functools.lru_cache(maxsize=16)
def chapter_names(notebook: Path | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """(names the chapter's first cells bind, names its other cells bind).

    The first cells are those up to the one that creates the chapter (``Chapter(``): the parameters,
    their check and the imports.

    Parameters
    ----------
    notebook : Path, optional
        A chapter notebook; None: every chapter of the collection (both editions have the same code).

    Returns
    -------
    tuple of frozenset
    """
    from .layout import NOTEBOOK_DIR

    books = [notebook] if notebook is not None else sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    first: set[str] = set()
    later: set[str] = set()
    for nb in books:
        try:
            cells = _code_cells(nb)
        except (OSError, ValueError):
            continue
        k = next((i for i, c in enumerate(cells) if "Chapter(" in c), -1)
        for i, c in enumerate(cells):
            (first if i <= k else later).update(_bound_names(c))
    return frozenset(first), frozenset(later - first)


def _session_notebook(ns: dict) -> Path | None:
    """The notebook this kernel runs for (JupyterLab tells the kernel through ``__session__``)."""
    s = ns.get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if not isinstance(s, str) or not s.endswith(".ipynb"):
        return None
    p = Path(s)
    for cand in (p, Path.cwd() / p.name):
        if cand.is_file():
            return cand
    return None


def _language(ns: dict, notebook: Path | None) -> str | None:
    lang = ns.get("lang")
    if lang in LANGS:
        return lang
    if notebook is not None:
        try:
            cells = _code_cells(notebook)
        except (OSError, ValueError):
            cells = []
        for c in cells[:2]:
            m = re.search(r'^lang\s*=\s*["\'](\w+)["\']', c, re.M)
            if m and m.group(1) in LANGS:
                return m.group(1)
    return None


def _say(key: str, lang: str | None, **values: Any) -> str:
    """One sentence in the chapter's language (both, English first, when the language is unknown)."""
    if lang in LANGS:
        return t(key, lang, **values)
    return " / ".join(t(key, x, **values) for x in LANGS)


# ----------------------------------------------------------------------------------- the exception handler
def _failing_line(tb: Any) -> str:
    frames = traceback.extract_tb(tb)
    return (frames[-1].line or "") if frames else ""


def _is_answer_word(name: str) -> bool:
    from .typed import read_letter, read_yes_no

    return read_letter(name) is not None or read_yes_no(name) is not None or bool(
        re.fullmatch(r"[\u4e00-\u9fff]{1,4}", name))


def explain(ns: dict, error: BaseException, tb: Any = None) -> str | None:
    """The one sentence that replaces ``error``'s traceback, or None to show the traceback.

    Parameters
    ----------
    ns : dict
        The kernel's user namespace.
    error : BaseException
        A :class:`NameError` or a :class:`~crmbook.errors.SentenceError` (e.g. a parameter out of range).
    tb : traceback, optional
        Its traceback (for the failing line).

    Returns
    -------
    str or None
    """
    if isinstance(error, SentenceError):
        return str(error)
    if not isinstance(error, NameError) or not getattr(error, "name", None):
        return None
    name = error.name
    notebook = _session_notebook(ns)
    lang = _language(ns, notebook)
    line = _failing_line(tb) if tb is not None else ""
    m = re.match(rf"^\s*(?P<var>answer_\d+_\d+)\s*=\s*{re.escape(name)}\s*(#.*)?$", line)
    if m and _is_answer_word(name):
        return _say("core.kernel.quote_answer", lang, variable=m.group("var"), name=name)
    first, later = chapter_names(notebook)
    if notebook is not None and name not in first | later:
        first, later = chapter_names(None)
    if name in first:
        return _say("core.kernel.first_cells", lang)
    if name in later:
        return _say("core.kernel.cells_above", lang, name=name)
    return None


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> list:
    try:
        sentence = explain(shell.user_ns, value, tb)
    except Exception:  # noqa: BLE001 - never let the handler hide the error it was given
        sentence = None
    if sentence is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    else:
        shell._showtraceback(etype, value, [sentence])
    return []


def install(shell: Any) -> None:
    """Add the input transformer and the exception handler to an IPython ``shell`` (once).

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
    """
    if _transformer not in shell.input_transformers_cleanup:
        shell.input_transformers_cleanup.insert(0, _transformer)
    shell.set_custom_exc((NameError, SentenceError), _handler)


def load_ipython_extension(shell: Any) -> None:
    """IPython's entry point (``--ext crmbook.kernel``, ``%load_ext crmbook.kernel``).

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
    """
    install(shell)


def install_current() -> None:
    """:func:`install` into the running IPython kernel, if there is one (a no-op in a plain script)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None:
        install(shell)


# ----------------------------------------------------------------------------------- the kernel spec
def _spec_dir(prefix: str | Path) -> Path:
    return Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME


def kernel_spec() -> dict[str, Any]:
    """The kernel spec: ipykernel's own (the same protocol version and metadata, CurveZMQ support
    included) with this module loaded as an extension.

    Returns
    -------
    dict
        The contents of ``kernel.json``. ``argv[0]`` is ``python``, which Jupyter replaces by the
        interpreter that runs it (the environment's own).
    """
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict(extra_arguments=["--ext", "crmbook.kernel"])
    spec["argv"][0] = "python"
    spec["display_name"] = DISPLAY_NAME
    return spec


def kernel_spec_installed(prefix: str | Path | None = None) -> bool:
    """Whether the kernel spec in ``prefix`` (default: this environment) is the current one.

    Parameters
    ----------
    prefix : str or Path, optional

    Returns
    -------
    bool
    """
    f = _spec_dir(prefix or sys.prefix) / "kernel.json"
    try:
        return json.loads(f.read_text(encoding="utf-8")) == kernel_spec()
    except (OSError, ValueError):
        return False


def install_kernel_spec(prefix: str | Path | None = None) -> Path:
    """Write the kernel spec into ``prefix/share/jupyter/kernels/crm-notebooks/`` (with IPython's logos).

    Parameters
    ----------
    prefix : str or Path, optional
        The environment (default: this interpreter's ``sys.prefix``, e.g. the project's ``.venv``).

    Returns
    -------
    Path
        The kernel spec folder.
    """
    d = _spec_dir(prefix or sys.prefix)
    d.mkdir(parents=True, exist_ok=True)
    (d / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1) + "\n", encoding="utf-8")
    try:
        import ipykernel

        res = Path(ipykernel.__file__).parent / "resources"
        for logo in res.glob("logo-*.png"):
            shutil.copyfile(logo, d / logo.name)
    except (ImportError, OSError):  # the logos are decoration
        pass
    return d


if __name__ == "__main__":  # python -m crmbook.kernel: install the kernel spec into this environment
    print(f"installed the {KERNEL_NAME} kernel spec in {install_kernel_spec()}")
