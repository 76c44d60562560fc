"""``python -m gateway`` is ``caap``."""

from gateway.cli.main import main

raise SystemExit(main())
