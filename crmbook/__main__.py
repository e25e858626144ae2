"""``python -m crmbook`` entry point."""
from .cli import main

raise SystemExit(main())
