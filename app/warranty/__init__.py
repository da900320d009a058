"""Warranty and maintenance coverage from the vendor's signed contract (Qt-free)."""
