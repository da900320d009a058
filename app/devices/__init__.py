"""Barcode scanners and label printers: fault diagnosis, codes, keyboard effects (Qt-free)."""
