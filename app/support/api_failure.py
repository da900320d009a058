"""Why the vendor's server could not be used, as a plain enum: the words for it load with the window (issue 24),
the client that raises it (:mod:`app.support.vendor_api`, requests and pydantic) only when it is used."""

from __future__ import annotations

import enum


class ApiFailure(enum.Enum):
    NOT_CONFIGURED = "not_configured"  # no shop token yet
    OFFLINE = "offline"  # connection refused / DNS / network down
    TIMEOUT = "timeout"
    UNAUTHORIZED = "unauthorized"  # 401/403: token wrong or revoked
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"  # 413
    SERVER = "server"  # 5xx
    BAD_RESPONSE = "bad_response"  # other 4xx, or not what the API promises

    @property
    def retryable(self) -> bool:
        """Worth trying again later (the request itself is fine)."""
        return self in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT, ApiFailure.SERVER, ApiFailure.NOT_CONFIGURED,
                        ApiFailure.UNAUTHORIZED)
