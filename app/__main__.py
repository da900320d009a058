"""`python -m app` runs the same entry point as the `pmv-support` command."""

import sys

from app.cli import main

if __name__ == "__main__":  # importing it (a tool, a worker process) must not start the app
    sys.exit(main())
