"""The checks, one module per area; each exports ``CHECKS`` and ``REMEDIES``."""
