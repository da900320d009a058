"""The vendor side: a FastAPI server for shop requests and contracts, the TUF
repository as static files, and the ``pmv-vendor`` CLI."""
