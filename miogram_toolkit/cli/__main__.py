"""``python -m miogram_toolkit.cli`` runs the ``miogram`` command."""

from __future__ import annotations

import sys

from miogram_toolkit.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
