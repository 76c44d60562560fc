"""``python -m gateway`` is ``caap``."""

from gateway.cli import main

raise SystemExit(main())
