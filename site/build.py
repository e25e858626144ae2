"""Rebuild the site (and the instructor's kit) from what ``build/`` holds, without re-running chapters.

    python site/build.py [--build DIR] [--no-api]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crmsite import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
