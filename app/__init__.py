"""PMV Support Assistant: the shop side of the PMV warranty and maintenance promise."""

APP_NAME = "PMV Support Assistant"
APP_ID = "pmv-support"
VENDOR = "PMV"
HOTLINE = "1900 6037"

__version__ = "0.1.0"
