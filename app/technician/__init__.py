"""Technician mode: offline unlock (challenge–response) and the audit log (Qt-free)."""
