"""The clock check when TLS refuses the vendor's certificate for its dates: a real HTTPS server on loopback whose
certificate's validity window lies wholly after, or wholly before, this machine's real time, trusted through
``REQUESTS_CA_BUNDLE`` as an installed CA would be.  OpenSSL judges the dates by the process's clock; a till whose
clock is months off meets exactly this (RFC 5280 s.4.1.2.5: a certificate is valid only between notBefore and
notAfter), and no Date header ever comes to compare with."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.health.checks.system import CHECKS
from app.health.context import CheckContext
from app.health.model import Status
from app.infra.settings import Settings
from tests.unit.health.conftest import find, run_one, settings_with

MakeCtx = Callable[..., CheckContext]


def _certificate(folder: Path, not_before: dt.datetime, not_after: dt.datetime) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def https_vendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dt.timedelta], str]]:
    """``start(offset)``: an HTTPS /healthz whose certificate is valid for 90 days from real now + ``offset``."""
    servers: list[http.server.HTTPServer] = []

    def start(offset: dt.timedelta) -> str:
        now = dt.datetime.now(dt.UTC)  # OpenSSL reads the real clock, so the window is placed against it
        cert_file, key_file = _certificate(tmp_path, now + offset, now + offset + dt.timedelta(days=90))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))

        class Healthy(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Healthy)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"https://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_certificate_not_yet_valid_by_the_tills_clock_is_a_slow_clock(
        make_ctx: MakeCtx, shop_settings: Settings, https_vendor: Callable[[dt.timedelta], str]) -> None:
    url = https_vendor(dt.timedelta(days=30))  # begins a month after this machine's now: the clock is behind
    outcome = run_one(find(CHECKS, "clock.skew"), make_ctx(settings_with(shop_settings, "vendor", base_url=url)))
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert outcome.remedy == "clock.skew" and "chưa đến ngày hiệu lực" in outcome.summary


def test_a_certificate_expired_by_the_tills_clock_may_be_a_fast_clock(
        make_ctx: MakeCtx, shop_settings: Settings, https_vendor: Callable[[dt.timedelta], str]) -> None:
    url = https_vendor(dt.timedelta(days=-120))  # ended 30 days before this machine's now
    outcome = run_one(find(CHECKS, "clock.skew"), make_ctx(settings_with(shop_settings, "vendor", base_url=url)))
    assert outcome.status is Status.WARNING, outcome.summary
    assert outcome.remedy == "clock.skew" and "đã hết hạn" in outcome.summary


def test_a_certificate_in_its_dates_lets_the_clock_be_compared(
        make_ctx: MakeCtx, shop_settings: Settings, https_vendor: Callable[[dt.timedelta], str]) -> None:
    """The control: the same server with a current certificate is reached, so the TLS set-up is not the fault."""
    url = https_vendor(dt.timedelta(days=-1))
    outcome = run_one(find(CHECKS, "clock.skew"), make_ctx(settings_with(shop_settings, "vendor", base_url=url)))
    assert outcome.status is not Status.SKIPPED and "chứng chỉ" not in outcome.summary, outcome.summary
