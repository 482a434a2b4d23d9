"""`python -m bot.cli` runs the same entry point as the `queuewatch` script."""

import sys

from bot.cli import main

sys.exit(main())
