"""Redaction: keys never reach logs, headers shown to the user, URLs or error text."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from workbench.core.redact import (
    REDACTED,
    clear_known_secrets,
    forget_secret,
    redact_headers,
    redact_text,
    redact_url,
    register_secret,
)

SECRET = "sk-workbench-test-0123456789abcdef"


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    yield
    clear_known_secrets()


def test_credential_headers_are_redacted_and_bearer_scheme_kept() -> None:
    headers = {
        "Authorization": f"Bearer {SECRET}",
        "x-api-key": "anthropic-key-value",
        "api-key": "azure-key-value",
        "X-Goog-Api-Key": "AIza-google-value",
        "Cookie": "session=abcdef",
        "Proxy-Authorization": "Basic dXNlcjpwYXNzd29yZA==",
        "X-Custom-Token": "gateway-token-value",
        "X-Client-Secret": "client-secret-value",
        "Content-Type": "application/json",
        "x-ratelimit-remaining-tokens": "39871",
        "anthropic-ratelimit-tokens-remaining": "80000",
    }

    shown = redact_headers(headers)

    assert shown["Authorization"] == f"Bearer {REDACTED}"
    assert shown["Proxy-Authorization"] == f"Basic {REDACTED}"
    for name in (
        "x-api-key",
        "api-key",
        "X-Goog-Api-Key",
        "Cookie",
        "X-Custom-Token",
        "X-Client-Secret",
    ):
        assert shown[name] == REDACTED, name
    # Ordinary headers and rate-limit counts (which name "tokens") stay readable.
    assert shown["Content-Type"] == "application/json"
    assert shown["x-ratelimit-remaining-tokens"] == "39871"
    assert shown["anthropic-ratelimit-tokens-remaining"] == "80000"
    assert headers["Authorization"] == f"Bearer {SECRET}"  # the input is not modified


def test_redact_headers_takes_httpx_headers_and_raw_byte_pairs() -> None:
    from_httpx = redact_headers(httpx.Headers({"authorization": f"Bearer {SECRET}"}))
    from_pairs = redact_headers([(b"x-api-key", SECRET.encode()), (b"accept", b"*/*")])

    assert from_httpx == {"authorization": f"Bearer {REDACTED}"}
    assert from_pairs == {"x-api-key": REDACTED, "accept": "*/*"}


def test_redact_url_replaces_key_like_query_params_and_keeps_the_rest() -> None:
    url = (
        "https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSecretValue123"
        "&alt=sse&api_key=one&API-KEY=two&apikey=three&access_token=four&token=five&sig=six"
        "&limit=5"
    )

    shown = redact_url(url)

    for value in ("AIzaSecretValue123", "=one", "=two", "=three", "=four", "=five", "=six"):
        assert value not in shown
    assert shown.startswith("https://generativelanguage.googleapis.com/v1beta/models?key=")
    assert "&alt=sse" in shown and shown.endswith("&limit=5")
    assert shown.count(REDACTED) == 7


def test_redact_url_hides_a_password_in_the_url_and_accepts_httpx_urls() -> None:
    shown = redact_url(httpx.URL("https://user:hunter2-pass@proxy.example/v1?key=abc123"))

    assert "hunter2-pass" not in shown and "abc123" not in shown
    assert shown == f"https://user:{REDACTED}@proxy.example/v1?key={REDACTED}"


def test_redact_text_removes_given_and_registered_secrets() -> None:
    register_secret("registered-secret-value")

    text = redact_text(
        "failed with given-secret-value and registered-secret-value inside",
        secrets=["given-secret-value"],
    )

    assert text == f"failed with {REDACTED} and {REDACTED} inside"
    forget_secret("registered-secret-value")
    assert redact_text("registered-secret-value") == "registered-secret-value"


@pytest.mark.parametrize(
    "key",
    [
        "sk-0123456789abcdef0123456789abcdef",  # DeepSeek / OpenAI legacy
        "sk-proj-Ab3_kd93-kdieKDIE93kdk",  # OpenAI project key
        "sk-ant-api03-AbCdEf0123456789-xyz_ABC",  # Anthropic
        "AIzaSyA-1234567890abcdefghijklmnopqrstu",  # Google
        "gsk_abcdefghijklmnopqrstuvwxyz012345",  # Groq
    ],
)
def test_redact_text_removes_unknown_keys_by_their_shape(key: str) -> None:
    assert redact_text(f"401 Unauthorized: invalid key {key}.") == (
        f"401 Unauthorized: invalid key {REDACTED}."
    )


def test_redact_text_scrubs_header_dumps_and_urls_in_messages() -> None:
    message = (
        "request {'authorization': 'Bearer abc.def-ghi', 'x-api-key': 'plainvalue99'} "
        "to https://host/v1?api_key=qwerty12&stream=true failed"
    )

    shown = redact_text(message)

    for leaked in ("abc.def-ghi", "plainvalue99", "qwerty12"):
        assert leaked not in shown
    assert "Bearer [redacted]" in shown and "stream=true" in shown


def test_redact_text_leaves_ordinary_text_alone() -> None:
    text = (
        "Risk-assessment frameworks and task-management tips: max tokens 512, "
        "token estimate 7, Basic settings. finish_reason=length"
    )

    assert redact_text(text) == text


class _QuietHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the server's own access log is not under test


@pytest.fixture
def local_http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _fetch(base: str, secret: str) -> None:
    with httpx.Client() as client:
        response = client.get(
            f"{base}/v1/models?api_key={secret}&limit=3",
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 200


def test_log_filter_removes_the_key_from_httpx_request_logs(
    local_http_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    from workbench.core.redact import install_log_redaction, uninstall_log_redaction

    secret = "SECRET-d41d8cd98f00b204e980"
    caplog.set_level(logging.DEBUG)  # httpx's URL line (INFO) and httpcore's DEBUG trace
    # `workbench.cli.main` installs redaction for the process; earlier tests may have run it.
    uninstall_log_redaction()

    # Control: without redaction httpx's own INFO line carries the key in the URL.
    _fetch(local_http_server, secret)
    assert secret in caplog.text

    caplog.clear()
    install_log_redaction()
    try:
        # Not registered: the URL parameter and the Bearer header are redacted by shape.
        _fetch(local_http_server, secret)
        assert secret not in caplog.text
        register_secret(secret)  # as KeyStore.get does for every key it hands out
        logging.getLogger("workbench.core.runner").warning("retrying with key %s", secret)
        logging.getLogger("httpx").info("headers %s", {"authorization": f"Bearer {secret}"})
    finally:
        uninstall_log_redaction()

    assert "HTTP Request: GET" in caplog.text  # httpx still logged the request
    assert "limit=3" in caplog.text
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()


def test_log_filter_scrubs_registered_secrets_in_exception_tracebacks(
    caplog: pytest.LogCaptureFixture, log_redaction: None
) -> None:
    secret = "opaque-provider-credential-42"
    register_secret(secret)
    logger = logging.getLogger("workbench.test")

    try:
        raise RuntimeError(f"upstream rejected {secret}")
    except RuntimeError:
        logger.exception("call failed")

    assert "upstream rejected [redacted]" in caplog.text
    assert secret not in caplog.text
