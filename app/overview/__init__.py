"""The overview's first read: the shop's state read at start-up before the data layer loads (issue 24)."""
