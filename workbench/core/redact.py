"""Keep API keys out of everything a user can see or share: logs, error text, headers, URLs.

Three layers:
- a process-wide registry of known secrets (every key the KeyStore hands out is registered),
  so any text can be scrubbed of them exactly;
- shape rules for keys we have never seen (``sk-...``, ``AIza...``, ``Bearer ...``, key-like
  URL parameters and ``name: value`` pairs), for keys that arrive from elsewhere;
- `install_log_redaction()`, which scrubs every log record as it is created, so httpx's INFO
  line with the full request URL cannot carry a key into a log file or a bug report.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

REDACTED = "[redacted]"

# Shorter strings are not treated as secrets: scrubbing "abc" out of every log line would
# mangle the logs and protect nothing (no real API key is that short).
MIN_SECRET_LENGTH = 6

# --- the known-secrets registry --------------------------------------------------------------

_lock = threading.Lock()
_known: set[str] = set()
_known_pattern: re.Pattern[str] | None = None


def register_secret(secret: str) -> None:
    """Remember a secret so that `redact_text` (and the log filter) removes it everywhere."""
    global _known_pattern
    if len(secret) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if secret not in _known:
            _known.add(secret)
            _known_pattern = None


def forget_secret(secret: str) -> None:
    global _known_pattern
    with _lock:
        if secret in _known:
            _known.discard(secret)
            _known_pattern = None


def clear_known_secrets() -> None:
    """Forget every registered secret (tests use this between cases)."""
    global _known_pattern
    with _lock:
        _known.clear()
        _known_pattern = None


def known_secret_count() -> int:
    with _lock:
        return len(_known)


def _known_secrets_pattern() -> re.Pattern[str] | None:
    global _known_pattern
    with _lock:
        if _known_pattern is None and _known:
            # Longest first, so a key that contains another is removed whole.
            alternatives = sorted(_known, key=len, reverse=True)
            _known_pattern = re.compile("|".join(re.escape(s) for s in alternatives))
        return _known_pattern


# --- shape rules -------------------------------------------------------------------------------

# Query parameters that carry credentials (Gemini's ?key=, signed URLs' sig=, OAuth tokens).
SECRET_QUERY_PARAMS = frozenset(
    {"key", "api_key", "api-key", "apikey", "access_token", "token", "sig", "password"}
)

# Header names redacted whatever they contain.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
    }
)
_SECRET_NAME_PARTS = ("key", "token", "secret")
# Rate-limit headers name tokens ("x-ratelimit-remaining-tokens") but carry counts we
# want to show, never credentials.
_NOT_SECRET_NAME_PARTS = ("ratelimit", "rate-limit")

_KEY_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"sk-[A-Za-z0-9_-]{16,}"  # OpenAI, DeepSeek, Anthropic (sk-ant-...), OpenRouter (sk-or-...)
    r"|AIza[0-9A-Za-z_-]{30,}"  # Google API keys
    r"|gsk_[A-Za-z0-9]{20,}"  # Groq
    r")"
)
# "Bearer" alone is distinctive enough to redact wherever it appears; other schemes
# ("Basic", "Token") are ordinary words, so they are handled only after a header name.
_BEARER_VALUE = re.compile(r"(?i)\b(Bearer\s+)[A-Za-z0-9._~+/=:-]{6,}")
_NAMED_VALUE = re.compile(
    r"(?i)(?P<name>[\"']?\b(?:proxy-authorization|authorization|x-api-key|x-goog-api-key"
    r"|api[-_]?key|access[-_]token|secret|password)[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:Bearer|Basic|Token|Digest)\s+)?+)"
    r"(?!\[redacted\])(?P<value>[^\s\"'&,;}\]]+)"
)
_URL_PARAM = re.compile(
    r"(?i)(?P<head>[?&;](?:" + "|".join(re.escape(p) for p in sorted(SECRET_QUERY_PARAMS)) + r")=)"
    r"(?P<value>[^&#\s\"'<>]+)"
)
_URL_USERINFO = re.compile(
    r"(?i)(?P<head>\b[a-z][a-z0-9+.-]{0,15}://[^/\s:@]{1,255}:)(?P<value>[^@/\s]{1,255})@"
)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known or given secret, and anything shaped like a key, replaced.

    Covers registered secrets, ``sk-...``/``AIza...``/``gsk_...`` keys, ``Bearer <token>``,
    ``api_key=...``-style pairs, credential query parameters in URLs and passwords in URLs.
    """
    if not text:
        return text
    extra = [s for s in secrets if len(s) >= MIN_SECRET_LENGTH]
    if extra:
        for secret in sorted(extra, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
    known = _known_secrets_pattern()
    if known is not None:
        text = known.sub(REDACTED, text)
    text = _KEY_SHAPES.sub(REDACTED, text)
    text = _BEARER_VALUE.sub(lambda m: m.group(1) + REDACTED, text)
    text = _URL_PARAM.sub(lambda m: m.group("head") + REDACTED, text)
    text = _URL_USERINFO.sub(lambda m: m.group("head") + REDACTED + "@", text)
    return _NAMED_VALUE.sub(lambda m: m.group("name") + REDACTED, text)


def is_secret_header(name: str) -> bool:
    lowered = name.strip().lower()
    if lowered in SECRET_HEADERS:
        return True
    if any(part in lowered for part in _NOT_SECRET_NAME_PARTS):
        return False
    return any(part in lowered for part in _SECRET_NAME_PARTS)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,19})\s+\S")

HeaderInput = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str | bytes, str | bytes]]


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def redact_headers(headers: HeaderInput) -> dict[str, str]:
    """A copy of `headers` safe to log or show. Credential headers become ``[redacted]``;
    ``Authorization: Bearer sk-...`` keeps its scheme (``Bearer [redacted]``). Other values
    are scrubbed of known secrets. Accepts dicts, httpx.Headers and (name, value) pairs,
    str or bytes."""
    items: Iterable[tuple[Any, Any]]
    items = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, str] = {}
    for raw_name, raw_value in items:
        name, value = _text(raw_name), _text(raw_value)
        if is_secret_header(name):
            lowered = name.lower()
            scheme = _SCHEME.match(value) if "authorization" in lowered else None
            result[name] = f"{scheme.group(1)} {REDACTED}" if scheme else REDACTED
        else:
            result[name] = redact_text(value)
    return result


def redact_url(url: object) -> str:
    """`url` (str or httpx.URL) with credential query parameters and any password replaced.

    Other parameters keep their exact spelling. Strings that are not URLs are still scrubbed
    as text."""
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return redact_text(text)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if has_password else f"{REDACTED}@{host}"
    query = parts.query
    if query:
        pairs = []
        for pair in query.split("&"):
            name, has_value, _ = pair.partition("=")
            if has_value and unquote_plus(name).lower() in SECRET_QUERY_PARAMS:
                pair = f"{name}={REDACTED}"
            pairs.append(pair)
        query = "&".join(pairs)
    rebuilt = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    # Path segments or fragments can still hold a known key (some gateways put it there).
    return redact_text(rebuilt)


# --- logging -----------------------------------------------------------------------------------

DEFAULT_LOGGERS = ("httpx", "httpcore", "aiohttp", "workbench")
_SCRUBBED = "_workbench_redacted"


def redact_record(record: logging.LogRecord) -> None:
    """Scrub a log record in place: its message (with args merged) and exception text."""
    if getattr(record, _SCRUBBED, False):
        return
    setattr(record, _SCRUBBED, True)
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to logging's own error report
        return
    clean = redact_text(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        formatted = logging.Formatter().formatException(record.exc_info)
        clean_exc = redact_text(formatted)
        if clean_exc != formatted:
            record.exc_text = clean_exc
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)


class RedactingFilter(logging.Filter):
    """Scrubs every record it sees; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


class _Installation:
    def __init__(self) -> None:
        self.filter = RedactingFilter()
        self.previous_factory: Any = None
        self.attached: list[logging.Filterer] = []


_installation: _Installation | None = None


def install_log_redaction(loggers: Iterable[str] = DEFAULT_LOGGERS) -> RedactingFilter:
    """Scrub secrets from log records. Idempotent; returns the filter in use.

    A filter on a logger sees only records logged on that exact logger, not its children
    (``httpcore.http11``, ``aiohttp.access``, ``workbench.core.runner``), nor handlers added
    later (pytest's caplog, a file handler the app adds). So besides attaching the filter to
    the named loggers and their current handlers, this wraps the log record factory: every
    record in the process is scrubbed once, when it is created.
    """
    global _installation
    with _lock:
        if _installation is None:
            installation = _Installation()
            previous = logging.getLogRecordFactory()
            installation.previous_factory = previous

            def scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record: logging.LogRecord = previous(*args, **kwargs)
                redact_record(record)
                return record

            logging.setLogRecordFactory(scrubbing_factory)
            _installation = installation
        installation = _installation
    for name in loggers:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if installation.filter not in target.filters:
                target.addFilter(installation.filter)
                installation.attached.append(target)
    return installation.filter


def uninstall_log_redaction() -> None:
    """Undo `install_log_redaction` (for tests)."""
    global _installation
    with _lock:
        installation, _installation = _installation, None
    if installation is None:
        return
    logging.setLogRecordFactory(installation.previous_factory)
    for target in installation.attached:
        target.removeFilter(installation.filter)
