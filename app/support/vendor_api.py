"""Client for the vendor API v1 (DESIGN.md), on an injected ``requests.Session``.

Every failure becomes a :class:`VendorApiError` with a ``kind`` the UI can
word: the server could not be reached, it timed out, it refused the shop
token, or it answered something unexpected.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

import requests

from app import APP_ID, __version__

log = logging.getLogger(__name__)


class ApiFailure(enum.Enum):
    NOT_CONFIGURED = "not_configured"  # no shop token yet
    OFFLINE = "offline"  # connection refused / DNS / network down
    TIMEOUT = "timeout"
    UNAUTHORIZED = "unauthorized"  # 401/403: token wrong or revoked
    NOT_FOUND = "not_found"
    SERVER = "server"  # 5xx
    BAD_RESPONSE = "bad_response"  # other 4xx, or not what the API promises


class VendorApiError(Exception):
    def __init__(self, kind: ApiFailure, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
        self.status = status


class VendorClient:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        session: requests.Session | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session or requests.Session()
        self._timeout = timeout

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if not self._token:
            raise VendorApiError(ApiFailure.NOT_CONFIGURED, "no shop token")
        headers = {
            "Authorization": f"Bearer {self._token}",
            "User-Agent": f"{APP_ID}/{__version__}",
            **kwargs.pop("headers", {}),
        }
        url = f"{self.base_url}{path}"
        try:
            response = self._session.request(method, url, headers=headers, timeout=self._timeout, **kwargs)
        except requests.Timeout as exc:
            raise VendorApiError(ApiFailure.TIMEOUT, str(exc)) from None
        except requests.RequestException as exc:
            raise VendorApiError(ApiFailure.OFFLINE, str(exc)) from None
        if response.status_code in (401, 403):
            raise VendorApiError(ApiFailure.UNAUTHORIZED, _detail(response), response.status_code)
        if response.status_code == 404:
            raise VendorApiError(ApiFailure.NOT_FOUND, _detail(response), 404)
        if response.status_code >= 500:
            raise VendorApiError(ApiFailure.SERVER, _detail(response), response.status_code)
        if response.status_code >= 400:
            raise VendorApiError(ApiFailure.BAD_RESPONSE, _detail(response), response.status_code)
        return response

    def get_contract(self) -> bytes:
        """The shop's signed contract document, as the raw bytes the server sent."""
        return self._request("GET", "/api/v1/contract").content


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:300]
    except ValueError:
        return response.text[:300]
