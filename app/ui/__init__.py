"""Everything PySide6: start-up, tray, main window, pages, dialogs, task bridge.

This is the only package allowed to import Qt (an import-linter contract).
"""
