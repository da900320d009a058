"""The app's own SQLite database: engine, ORM tables, repositories, migrations.

Callers use :class:`app.storage.db.Database` and the repositories; nothing
outside this package sees an ORM row.
"""
