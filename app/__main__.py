"""`python -m app` runs the same entry point as the `pmv-support` command."""

import sys

from app.cli import main

if __name__ == "__main__":  # a spawned worker process (labels/batch.py) imports this module again
    sys.exit(main())
