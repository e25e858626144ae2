"""Command line: ``python -m crmbook`` (also installed as ``crmnb``).

    python -m crmbook all                    # the main job: every chapter, en + zh, then the site
    python -m crmbook run 02                 # one chapter (English)
    python -m crmbook run 02 -p lang zh      # ... with other parameters
    python -m crmbook run 03 05 --small      # several chapters in small mode
    python -m crmbook list                   # chapters and their parameters
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import runner
from crmlib.i18n import LANGS

__all__ = ["main", "parse_value", "parse_typed", "notebook_parameters", "UsageError"]


class UsageError(Exception):
    """A command-line mistake: reported as one ``error: ...`` line, exit status 2."""


def parse_value(text: str) -> Any:
    """Parse a ``-p NAME VALUE`` value: JSON literal (number, true/false, null, list) or plain string.

    Python's ``True`` / ``False`` are read as booleans too.

    Parameters
    ----------
    text : str
        The VALUE as typed on the command line.

    Returns
    -------
    Any
        The JSON value (int, float, bool, None, list, dict or quoted str) of the stripped text, or
        ``text`` itself, unstripped, when it is not JSON (``zh`` stays the string ``"zh"``).
        Never raises.
    """
    low = text.strip()
    if low in ("True", "False"):
        return low == "True"
    try:
        return json.loads(low)
    except ValueError:
        return text


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Name -> default value of a notebook's ``parameters`` cell, read by papermill's ``inspect_notebook``.

    A default that is not a plain literal (an expression) is kept as ``...``: any value is accepted for it.

    Parameters
    ----------
    notebook : pathlib.Path
        The ``.ipynb`` file; its cell tagged ``parameters`` is read, nothing is executed.

    Returns
    -------
    dict of str to Any
        Parameter names in the cell's order, each with its default (``None`` stays None);
        empty when the notebook has no parameters cell.

    Raises
    ------
    FileNotFoundError
        When ``notebook`` does not exist.
    """
    import papermill as pm

    out: dict[str, Any] = {}
    for name, info in pm.inspect_notebook(str(notebook)).items():
        try:
            out[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            out[name] = ...
    return out


def _kind(value: Any) -> str:
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string",
            list: "a list such as [1, 2]", tuple: "a list such as [1, 2]"}.get(type(value), type(value).__name__)


def parse_typed(name: str, text: str, default: Any) -> Any:
    """Parse ``-p name text`` to the type of the parameter's ``default``; UsageError naming ``name`` if it cannot.

    Booleans take true/false (any case) only; integers take digits (``20_000`` too); numbers must be finite;
    strings are taken as typed; a parameter whose default is None (or not a literal) takes any JSON literal.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message only.
    text : str
        The value as typed on the command line.
    default : Any
        The parameter's default from :func:`notebook_parameters` (``...`` for a default that is
        not a literal); its type decides how ``text`` is read.

    Returns
    -------
    Any
        A bool, int, float, str or list of the default's type (a tuple default gives a list), or
        for a None / ``...`` default whatever :func:`parse_value` makes of ``text``.

    Raises
    ------
    UsageError
        When ``text`` cannot be read as the default's type (``"many"`` for an integer, ``inf``
        for a number, a non-list for a list); the message names the parameter, the expected
        type and the default.
    """
    def bad() -> UsageError:
        return UsageError(f"parameter {name!r} must be {_kind(default)} (its default is {default!r}), "
                          f"got {text!r}")

    low = text.strip()
    if default is None or default is ...:
        return parse_value(text)
    if isinstance(default, bool):
        if low.lower() not in ("true", "false"):
            raise bad()
        return low.lower() == "true"
    if isinstance(default, int):
        try:
            return int(low)
        except ValueError:
            raise bad() from None
    if isinstance(default, float):
        try:
            value = float(low)
        except ValueError:
            raise bad() from None
        if not math.isfinite(value):
            raise bad()
        return value
    if isinstance(default, str):
        return text
    if isinstance(default, (list, tuple)):
        value = parse_value(text)
        if not isinstance(value, list):
            raise bad()
        return value
    return parse_value(text)


def _params(pairs: list[list[str]] | None, notebooks: list[Path]) -> dict[str, Any]:
    """``-p`` pairs checked against every chosen notebook's parameters cell: typed by their defaults, then
    checked against the allowed values the cell declares (:mod:`crmbook.parameters`), so that a value out of
    range is the sentence the notebook itself would give, before anything runs (in the language ``-p lang``
    asks for)."""
    from .parameters import check_value, notebook_spec

    out: dict[str, Any] = {}
    known = {nb: notebook_parameters(nb) for nb in notebooks} if pairs else {}
    specs = {nb: notebook_spec(nb) for nb in notebooks} if pairs else {}
    lang = next((v.strip() for n, v in pairs or [] if n == "lang"), "en")
    for name, value in pairs or []:
        if name == "build_dir":
            raise UsageError("set the output folder with --build DIR, not -p build_dir")
        for nb, params in known.items():
            if name not in params:
                raise UsageError(f"{nb.stem} has no parameter {name!r}; its parameters are: {', '.join(params)}")
        default = next(iter(known.values()))[name]
        try:
            out[name] = parse_typed(name, value, default)
        except UsageError:
            # a number where a whole number is declared (-p cut_complaints 0.5): the notebook's sentence
            # says more (it looks like a fraction, type 50) than "must be an integer"
            sentence = _number_sentence(name, value, default, specs, lang)
            if sentence is None:
                raise
            raise UsageError(sentence) from None
        for spec in specs.values():
            if name != "lang" and name in spec:
                msg = check_value(name, out[name], spec[name], lang if lang in LANGS else "en")
                if msg:
                    raise UsageError(msg)
    return out


def _number_sentence(name: str, text: str, default: Any, specs: dict, lang: str) -> str | None:
    """The parameters cell's sentence for a number typed where an integer is declared, if it has one."""
    from .parameters import check_value

    if not isinstance(default, int) or isinstance(default, bool):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    for spec in specs.values():
        if name in spec:
            msg = check_value(name, number, spec[name], lang if lang in LANGS else "en")
            if msg:
                return msg
    return None


def _check_langs(langs: list[str]) -> None:
    for lang in langs:
        if lang not in LANGS:
            raise UsageError(f"language {lang!r} does not exist; languages are: {', '.join(LANGS)}")
    if not langs:
        raise UsageError(f"no language given; languages are: {', '.join(LANGS)}")


def _check_writable(build: Path) -> None:
    """UsageError (one line) unless ``build`` exists or can be made, and a file can be written in it."""
    try:
        build.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=build, prefix=".crmnb-write-check-"):
            pass
    except OSError as e:
        raise UsageError(f"cannot write to the build folder {build}: {e.strerror or e}") from None


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return n


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line (``prog: error: ...``), exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _run(notebooks: list[Path], build: Path, langs: list[str], small: bool, extra: dict[str, Any],
         jobs: int) -> bool:
    plan = runner.plan(notebooks, build, langs=langs, small=small, extra=extra)
    print(f"Executing {len(plan)} notebook run(s), {jobs} at a time, into {build}/", flush=True)
    outcomes = runner.run_jobs(plan, workers=jobs, build_dir=build)
    return runner.summary(outcomes)


def _site_builder() -> Any:
    """The site builder (``site/crmsite`` in the repository; a build tool, not part of crmlib), or None
    when the site extra or the folder is missing."""
    folder = runner.ROOT / "site"
    if not (folder / "crmsite").is_dir():
        return None
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    try:
        import crmsite
    except ImportError as exc:
        print(f"site: not built ({exc}); install the site extra: pip install -e .[site]", file=sys.stderr)
        return None
    return crmsite


def main(argv: list[str] | None = None) -> int:
    """Run the command line: ``all``, ``run`` or ``list`` (see the module docstring and ``--help``).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        Exit status: 0 when every notebook run (and the site build) succeeded, 1 when one
        failed, 2 for a usage mistake (reported as one ``error: ...`` line on stderr). argparse's
        own errors and ``--help`` exit through ``SystemExit`` (status 2 and 0) instead.
    """
    try:
        return _main(argv)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None) -> int:
    ap = _Parser(prog="python -m crmbook", description="Run the CRM Notebooks chapters.")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--build", type=Path, default=runner.ROOT / "build", help="output folder (default: build/)")
        p.add_argument("--small", action="store_true", help="small mode (what the tests run)")
        p.add_argument("-j", "--jobs", type=_jobs, default=2, help="notebooks at a time (default 2)")

    p_all = sub.add_parser("all", help="main job: every chapter in en and zh, then the site")
    common(p_all)
    p_all.add_argument("--no-site", action="store_true", help="skip building the site")
    p_all.add_argument("--langs", default="en,zh", help="comma-separated languages (default en,zh)")

    p_run = sub.add_parser("run", help="run chosen chapters")
    p_run.add_argument("chapters", nargs="+", help="chapter number (02), notebook stem, or path")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                       help="papermill parameter, e.g. -p lang zh -p seed 7")
    common(p_run)

    sub.add_parser("list", help="list chapters")

    args = ap.parse_args(argv)
    if args.cmd == "list":
        for nb in runner.discover():
            print(nb.stem)
        return 0
    build = args.build.resolve()
    t0 = time.perf_counter()
    if args.cmd == "run":
        try:
            notebooks = runner.resolve(args.chapters)
        except ValueError as e:
            raise UsageError(str(e)) from None
        extra = _params(args.parameter, notebooks)
        langs = [extra.pop("lang")] if "lang" in extra else ["en"]
        if "small" in extra:
            args.small = extra.pop("small")
        _check_langs(langs)
        _check_writable(build)
        ok = _run(notebooks, build, langs, args.small, extra, args.jobs)
    else:
        langs = [x.strip() for x in args.langs.split(",") if x.strip()]
        _check_langs(langs)
        _check_writable(build)
        ok = _run(runner.discover(), build, langs, args.small, {}, args.jobs)
        if ok and not args.no_site:
            site = _site_builder()
            if site is not None:
                ok = site.build(build) and ok
    print(f"Total wall time {time.perf_counter() - t0:.1f} s — {'all ok' if ok else 'FAILED'}")
    return 0 if ok else 1
