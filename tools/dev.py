"""Project tasks with nothing but Python >= 3.10 and pip: ``python3 tools/dev.py TASK``.

    setup   create .venv (if missing) and install the project with its test and site extras
    run     setup, then the main job: every chapter in en and zh, figures, results, site
    test    setup, then pytest
    lab     setup, then JupyterLab on notebooks/ (extra arguments go to ``jupyter lab``)
    lab-zh  setup, then JupyterLab with its interface in Chinese (中文界面) on notebooks/: the Chinese
            edition is the folder zh/, the English one beside it
    bench   setup, then the benchmarks (reference libraries in their own venv)

The Makefile's targets call this script, so ``make run`` and
``python3 tools/dev.py run`` are the same thing.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("CRMNB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
EXTRAS = "test,site"


def sh(*cmd: str | Path, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def setup() -> None:
    if sys.version_info < (3, 10):
        sys.exit(f"CRM Notebooks needs Python >= 3.10, this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"Creating virtual environment {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".crmnb-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + EXTRAS.encode()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == want):
        rc = sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f".[{EXTRAS}]")
        if rc:
            sys.exit(f"pip install failed (exit {rc})")
        stamp.write_text(want)
    install_kernel()


# The chapters' kernel (crmbook/kernel.py): IPython's kernel with the project's input transformer and
# exception handler loaded at start, installed into the venv (not ~/.local) as "crm-notebooks".
KERNEL_JSON = VENV / "share" / "jupyter" / "kernels" / "crm-notebooks" / "kernel.json"


def install_kernel() -> None:
    if KERNEL_JSON.exists() and "crmbook.kernel" in KERNEL_JSON.read_text(encoding="utf-8"):
        return
    if sh(PY, "-m", "crmbook.kernel"):
        sys.exit("installing the crm-notebooks kernel spec failed")


# JupyterLab's interface language is a user setting of @jupyterlab/translation-extension. `lab-zh` keeps
# its own settings folder (git-ignored, in the repository) so the user's ~/.jupyter is never touched.
LAB_SETTINGS_ZH = ROOT / ".jupyter-lab" / "zh" / "user-settings"
LAB_WORKSPACES_ZH = ROOT / ".jupyter-lab" / "zh" / "workspaces"
TRANSLATION_PLUGIN = Path("@jupyterlab", "translation-extension", "plugin.jupyterlab-settings")


def lab(zh: bool, rest: list[str]) -> int:
    """JupyterLab on notebooks/ (with the Chinese interface for ``zh``); ``rest`` goes to it.

    Both editions are reachable either way: the English notebooks at the top, the Chinese ones in zh/
    (named in Chinese, so a tab shows which edition it holds)."""
    cmd: list[str | Path] = [BIN / "jupyter", "lab"]
    env = dict(os.environ)
    notebooks = ROOT / "notebooks"
    if zh:
        settings = LAB_SETTINGS_ZH / TRANSLATION_PLUGIN
        if not settings.exists():  # seed once; later changes made in the interface are kept
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text('{\n    "locale": "zh_CN"\n}\n', encoding="utf-8")
        LAB_WORKSPACES_ZH.mkdir(parents=True, exist_ok=True)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(LAB_SETTINGS_ZH)
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(LAB_WORKSPACES_ZH)
        if (notebooks / "zh").is_dir():  # the file browser opens on the Chinese edition; ".." is the English
            cmd.append("--ServerApp.default_url=/lab/tree/zh")
    cmd += ["--notebook-dir", notebooks]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return sh(*cmd, *rest, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    task, rest = argv[0], argv[1:]
    if task not in ("setup", "run", "test", "lab", "lab-zh", "bench"):
        print(f"unknown task {task!r}\n{__doc__}", file=sys.stderr)
        return 2
    setup()
    if task == "setup":
        return 0
    if task == "run":
        return sh(PY, "-m", "crmbook", "all", *rest)
    if task == "test":
        return sh(PY, "-m", "pytest", *rest)
    if task in ("lab", "lab-zh"):
        return lab(zh=task == "lab-zh", rest=rest)
    if task == "bench":
        return sh(PY, ROOT / "bench" / "run.py", *rest)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
