"""What every part of the shop client stands on: folders, settings, logs, crash reports, resources, formatting,
fonts, threads, memory, the trusted keys, the program's own paths.

Nothing here knows a feature; features and the composition root (``app.runtime``, ``app.cli``) import it.
"""
