"""PMV Support Assistant: the shop side of the PMV warranty and maintenance promise."""

from pmv_protocol import HOTLINE

APP_NAME = "PMV Support Assistant"
APP_ID = "pmv-support"
VENDOR = "PMV"

__all__ = ["APP_ID", "APP_NAME", "HOTLINE", "VENDOR", "__version__"]

__version__ = "0.1.0"
