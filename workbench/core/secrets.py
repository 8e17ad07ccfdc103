"""API keys: the system keyring (through `keyring`) or, for the command line, the environment.

One keyring entry per endpoint profile: service ``prompt-stress-workbench``, username = the
profile name. Never a file of our own: with no usable keyring a key typed in is kept in this
process's memory only, and keyring's plaintext backends (keyrings.alt) are refused.

Every key handed out is registered with `workbench.core.redact`, so log lines and error texts
are scrubbed of it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from workbench.core.redact import redact_text, register_secret

SERVICE = "prompt-stress-workbench"

KeySource = Literal["keyring", "environment", "memory", "none"]


class ProfileLike(Protocol):
    """What the key store needs of an endpoint profile (EndpointProfile satisfies it)."""

    @property
    def name(self) -> str: ...

    @property
    def key_env(self) -> str | None: ...


class InvalidKey(ValueError):
    """A key cannot be stored (empty, malformed). The message never contains the key."""


@dataclass(frozen=True, slots=True, repr=False)
class KeyLookup:
    """Where a profile's key comes from, and the key. repr/str never show the key."""

    key: str | None
    source: KeySource
    # The environment variable the key came from (source "environment"), for messages.
    env_var: str | None = None

    @property
    def found(self) -> bool:
        return self.key is not None

    def __repr__(self) -> str:
        shown = "<hidden>" if self.key is not None else "None"
        env = f", env_var={self.env_var!r}" if self.env_var else ""
        return f"KeyLookup(key={shown}, source={self.source!r}{env})"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class BackendStatus:
    """Whether keys can be saved. `message` is a sentence a user can act on."""

    usable: bool
    backend: str  # a display name such as "SecretService Keyring", or "none"
    message: str
    reason: str = ""  # why it is not usable, e.g. "keyring found no backend"

    @property
    def short_message(self) -> str:
        """One clause for messages that say their own consequence."""
        return f"No system keyring is available ({self.reason})" if not self.usable else ""


def _backend_name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _refusal(backend: KeyringBackend) -> str | None:
    """Why a backend must not hold keys, or None when it is fine."""
    module, cls = type(backend).__module__, type(backend).__name__
    if isinstance(backend, fail.Keyring):
        return "keyring found no backend"
    if isinstance(backend, null.Keyring):
        return "keyring is configured with its null backend, which stores nothing"
    if module.startswith("keyrings.alt") or "plaintext" in cls.lower():
        return f"{module}.{cls} keeps keys in a file on disk; this program refuses it"
    return None


def _select_backend(backend: KeyringBackend) -> tuple[KeyringBackend | None, str]:
    """The backend to use (None if none is acceptable) and, if none, the reason."""
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        allowed = [b for b in members if _refusal(b) is None]
        if not allowed:
            reasons = "; ".join(r for b in members if (r := _refusal(b))) or "no backend"
            return None, reasons
        # Use the highest-priority acceptable one (the chainer lists them best first).
        return (backend if len(allowed) == len(members) else allowed[0]), ""
    reason = _refusal(backend)
    return (None, reason) if reason else (backend, "")


def _no_keyring_message(reason: str) -> str:
    return (
        f"No system keyring is available ({reason}); the key will be kept in memory for this "
        "run only. To save keys, install and unlock a Secret Service keyring (GNOME Keyring, "
        "KWallet) or, on the command line, set the profile's environment variable."
    )


def check_key(key: str) -> str:
    """The key with surrounding whitespace removed; raises InvalidKey if it cannot be one."""
    cleaned = key.strip()
    if not cleaned:
        raise InvalidKey("the key is empty")
    if any(ch.isspace() or not ch.isprintable() for ch in cleaned):
        raise InvalidKey(
            "the key contains spaces or control characters (was more than one line pasted?)"
        )
    return cleaned


@dataclass(kw_only=True)
class KeyStore:
    """Get, set and delete API keys per endpoint profile.

    `backend`: a keyring backend; by default the one `keyring` selects for this system.
    `allow_env`: let environment variables (the profile's `key_env`) override the keyring.
    Off by default, the safe side: the window takes keys from the keyring only, and the
    command line asks for the environment by name. `environ` defaults to os.environ.
    """

    backend: KeyringBackend | None = None
    allow_env: bool = False
    # repr=False: an environment mapping holds other programs' secrets too.
    environ: Mapping[str, str] | None = field(default=None, repr=False)
    _memory: dict[str, str] = field(default_factory=dict, repr=False)
    _resolved: bool = field(default=False, repr=False)
    _active: KeyringBackend | None = field(default=None, repr=False)
    _problem: str = field(default="", repr=False)

    # --- backend -----------------------------------------------------------------------

    def _keyring(self) -> KeyringBackend | None:
        if not self._resolved:
            self._resolved = True
            try:
                chosen = self.backend if self.backend is not None else keyring.get_keyring()
            except Exception as exc:  # a broken keyring configuration file, a plugin crash
                self._problem = f"keyring could not start: {_describe(exc)}"
                return None
            self._active, self._problem = _select_backend(chosen)
        return self._active

    def _fail(self, action: str, exc: Exception) -> None:
        """Stop using a backend that failed: from now on keys live in memory only."""
        name = type(self._active).__name__ if self._active is not None else "keyring"
        self._problem = f"{name} failed to {action}: {_describe(exc)}"
        self._active = None

    def backend_status(self) -> BackendStatus:
        active = self._keyring()
        if active is None:
            return BackendStatus(
                False, "none", _no_keyring_message(self._problem), self._problem
            )
        name = str(getattr(active, "name", type(active).__name__))
        return BackendStatus(True, name, f"Keys are saved in the system keyring ({name}).")

    # --- keys --------------------------------------------------------------------------

    def get(self, profile: str | ProfileLike, *, env_var: str | None = None) -> KeyLookup:
        """The key for `profile`: environment (if allowed), then memory, then the keyring."""
        name, env_var = _identify(profile, env_var)
        if self.allow_env and env_var:
            value = (self.environ if self.environ is not None else os.environ).get(env_var, "")
            if value.strip():
                key = value.strip()
                register_secret(key)
                return KeyLookup(key, "environment", env_var)
        if name in self._memory:
            return KeyLookup(self._memory[name], "memory")
        active = self._keyring()
        if active is not None:
            try:
                stored = active.get_password(SERVICE, name)
            except Exception as exc:
                self._fail("read a key", exc)
            else:
                if stored:
                    register_secret(stored)
                    return KeyLookup(stored, "keyring")
        return KeyLookup(None, "none")

    def set(self, profile: str | ProfileLike, key: str) -> KeySource:
        """Save `key` for `profile`. Returns "keyring", or "memory" when no keyring is usable
        (then `backend_status().message` says so). Raises InvalidKey for an empty key."""
        name, _ = _identify(profile, None)
        cleaned = check_key(key)
        register_secret(cleaned)
        active = self._keyring()
        if active is not None:
            try:
                active.set_password(SERVICE, name, cleaned)
            except Exception as exc:
                self._fail("save the key", exc)
            else:
                self._memory.pop(name, None)
                return "keyring"
        self._memory[name] = cleaned
        return "memory"

    def delete(self, profile: str | ProfileLike) -> bool:
        """Remove the key for `profile` from memory and the keyring. True if one existed.
        The environment is not ours to change."""
        name, _ = _identify(profile, None)
        removed = self._memory.pop(name, None) is not None
        active = self._keyring()
        if active is None:
            return removed
        try:
            if active.get_password(SERVICE, name) is None:
                return removed
            active.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            return removed
        except Exception as exc:
            self._fail("delete the key", exc)
            return removed
        return True

    def stored_in_keyring(self, profile: str | ProfileLike) -> bool:
        """Whether the keyring holds a key for `profile` (ignoring environment and memory)."""
        name, _ = _identify(profile, None)
        active = self._keyring()
        if active is None:
            return False
        try:
            return bool(active.get_password(SERVICE, name))
        except Exception as exc:
            self._fail("read a key", exc)
            return False


def _identify(profile: str | ProfileLike, env_var: str | None) -> tuple[str, str | None]:
    if isinstance(profile, str):
        name = profile
    else:
        name = profile.name
        env_var = env_var or profile.key_env
    if not name:
        raise ValueError("profile name is empty")
    return name, env_var


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    kind = type(exc).__name__
    # Scrubbed all the same: a backend could echo what it was given.
    return redact_text(f"{kind}: {text}" if text else kind)
