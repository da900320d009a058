"""The main window's areas, in navigation order: one list for the GUI and the CLI's ``--page``."""

PAGE_KEYS = ("overview", "checks", "support", "warranty", "devices", "updates")
