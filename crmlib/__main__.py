"""``python -m crmlib`` entry point."""
from .cli import main

raise SystemExit(main())
