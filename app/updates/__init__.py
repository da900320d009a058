"""Signed updates: regulation packs (typed rules, atomic install and rollback) and app updates."""
