"""Command line: ``python -m crmlib`` (also installed as ``crmnb``).

    python -m crmlib all                    # the main job: every chapter, en + zh, then the site
    python -m crmlib run 02                 # one chapter (English)
    python -m crmlib run 02 -p lang zh      # ... with other parameters
    python -m crmlib run 03 05 --small      # several chapters in small mode
    python -m crmlib list                   # chapters and their parameters
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from . import runner

__all__ = ["main", "parse_value"]


def parse_value(text: str) -> Any:
    """Parse a ``-p NAME VALUE`` value: JSON literal (number, true/false, null, list) or plain string."""
    low = text.strip()
    if low in ("True", "False"):
        return low == "True"
    try:
        return json.loads(low)
    except ValueError:
        return text


def _params(pairs: list[list[str]] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs or []:
        if not name.isidentifier():
            raise SystemExit(f"error: parameter name {name!r} is not a Python identifier")
        out[name] = parse_value(value)
    return out


def _run(notebooks: list[Path], build: Path, langs: list[str], small: bool, extra: dict[str, Any],
         jobs: int) -> bool:
    plan = runner.plan(notebooks, build, langs=langs, small=small, extra=extra)
    print(f"Executing {len(plan)} notebook run(s), {jobs} at a time, into {build}/", flush=True)
    outcomes = runner.run_jobs(plan, workers=jobs, build_dir=build)
    return runner.summary(outcomes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crmlib", description="Run the CRM Notebooks chapters.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--build", type=Path, default=runner.ROOT / "build", help="output folder (default: build/)")
        p.add_argument("--small", action="store_true", help="small mode (what the tests run)")
        p.add_argument("-j", "--jobs", type=int, default=2, help="notebooks at a time (default 2)")

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
        extra = _params(args.parameter)
        langs = [extra.pop("lang")] if "lang" in extra else ["en"]
        if "small" in extra:
            args.small = bool(extra.pop("small"))
        try:
            notebooks = runner.resolve(args.chapters)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        ok = _run(notebooks, build, langs, args.small, extra, args.jobs)
    else:
        langs = [x.strip() for x in args.langs.split(",") if x.strip()]
        ok = _run(runner.discover(), build, langs, args.small, {}, args.jobs)
        if ok and not args.no_site:
            try:
                from . import site
            except ImportError:
                site = None
            if site is not None:
                ok = site.build(build) and ok
    print(f"Total wall time {time.perf_counter() - t0:.1f} s — {'all ok' if ok else 'FAILED'}")
    return 0 if ok else 1
