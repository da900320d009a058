"""Support requests, the vendor API client and the shop token (Qt-free)."""
