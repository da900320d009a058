"""Where the server's TUF repository and its keys are, from the server's context."""

from __future__ import annotations

from vendor_server.releases.rollouts import repository_at
from vendor_server.routes.deps import ServerContext
from vendor_server.tuf_repo import VendorRepository


def repository(context: ServerContext) -> VendorRepository | None:
    """The repository served at /tuf/ with the keys that re-sign it (default ``<data>/tuf``, ``<data>/tuf-keys``,
    as ``pmv-vendor repo`` lays them out); None when this server publishes none."""
    data = context.data_dir
    repo = context.tuf_repo_dir or (data / "tuf" if data is not None else None)
    keys = context.tuf_keys_dir or (data / "tuf-keys" if data is not None else None)
    return repository_at(repo, keys)
