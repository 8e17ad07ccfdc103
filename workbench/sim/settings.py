"""Knobs of the simulated endpoint: one struct shared by the command-line flags and TOML profiles.

Profile keys use the flag names, with dashes or underscores (`decode-ms` or `decode_ms`);
faults are a table (`[fault]` with `429 = 0.1`) or a list of `"KIND=RATE"` strings.
Explicit flags override the profile, the profile overrides the defaults below.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

import msgspec

FAULT_KINDS = ("429", "500", "503", "reset", "malformed", "stall", "no-done")
"""Injectable faults: HTTP errors, a TCP reset mid-stream, one broken chunk, a stream that stops
sending (then closes), a stream that ends without its terminator (`[DONE]` / `message_stop`)."""

# Never accepted from a profile file: a key does not belong in any file.
_FLAG_ONLY = frozenset({"require_key"})


class SettingsError(ValueError):
    """A knob has an invalid value; the message names the knob and where it came from."""


class SimSettings(msgspec.Struct, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 0
    # Seeds the server's own randomness (faults, unseeded sampling, batch variance draws).
    seed: int | None = None
    capacity: int = 16
    prefill_us_per_token: float = 50.0
    decode_ms: float = 8.0
    batch_slowdown: float = 0.02
    depth_decay: float = 0.0
    batch_variance: float = 0.0
    drift: float = 0.0
    # Fraction of expected length lost per doubling of prompt tokens above
    # CONTEXT_REFERENCE_TOKENS, and the same share of answers drifting off the prompt's topic
    # (they keep fewer of its terms): a chain, whose prompts grow, decays step by step.
    context_compression: float = 0.0
    fault: dict[str, float] = {}
    retry_after: float = 1.0
    require_key: str | None = None
    keepalive_interval: float = 1.0
    stall_seconds: float = 30.0
    stall_after: int = 0
    mean_tokens: float = 180.0
    # Pins every answer to one corpus topic (a title, or words naming one); None: the prompt's.
    topic: str | None = None
    # Every answer is one of this many fixed texts per prompt, lightly reworded per response:
    # the ground truth of the diversity measures (Vendi score, clusters). 0 = off.
    templates: int = 0
    # 0..1: how much an answer depends on the prompt's exact wording (sim/wording.py): the
    # ground truth of the phrasing decomposition. 0 = rephrasings that keep the content
    # words are answered alike.
    variant_sensitivity: float = 0.0
    # Every answer ends with "Answer: X", X one of this many letters (A, B, ...) drawn uniformly
    # from the request's RNG: the ground truth of the flip rate and pass^k. 0 = off.
    answer_choices: int = 0
    reject_stream_options: bool = False
    chunk_tokens: int = 1
    zero_delay: bool = False
    # Test/benchmark aid: a sequence starts decoding only once this many are active (a barrier
    # at the end of prefill), so "N active at once" is exact rather than hoped for. 0 = off.
    hold_until_active: int = 0

    def effective_prefill_us(self) -> float:
        return 0.0 if self.zero_delay else self.prefill_us_per_token

    def effective_decode_ms(self) -> float:
        return 0.0 if self.zero_delay else self.decode_ms

    def __repr__(self) -> str:  # never show the required key
        fields = {f: getattr(self, f) for f in self.__struct_fields__}
        if fields["require_key"] is not None:
            fields["require_key"] = "<set>"
        return "SimSettings(" + ", ".join(f"{k}={v!r}" for k, v in fields.items()) + ")"


def parse_fault(text: str, *, where: str = "--fault") -> tuple[str, float]:
    """`"429=0.1"` -> ("429", 0.1), with a clear error naming the flag on bad input."""
    kind, sep, rate_text = text.partition("=")
    kind = kind.strip()
    if not sep:
        raise SettingsError(f"{where}: expected KIND=RATE, got {text!r}")
    try:
        rate = float(rate_text)
    except ValueError:
        raise SettingsError(f"{where}: rate {rate_text!r} is not a number") from None
    return kind, rate


def _normalise_profile(raw: dict[str, Any], source: str) -> dict[str, Any]:
    known = set(SimSettings.__struct_fields__)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in known:
            raise SettingsError(f"{source}: {key}: {_unknown_knob(name, known, key)}")
        if name in _FLAG_ONLY:
            raise SettingsError(
                f"{source}: {key!r} is not accepted in a profile (no keys in files); "
                "use --require-key or WORKBENCH_SIM_REQUIRE_KEY"
            )
        if name == "fault":
            out[name] = _profile_faults(value, source)
        else:
            out[name] = value
    return out


def _unknown_knob(name: str, known: set[str], typed: str) -> str:
    """The message core gives for an unknown field (sim must not import core), in the
    spelling the profile uses (dashes or underscores)."""
    choices = sorted(known - _FLAG_ONLY)
    nearest = difflib.get_close_matches(name, choices, n=1)
    if not nearest:
        return "unknown field; expected one of " + ", ".join(choices)
    suggestion = nearest[0].replace("_", "-") if "-" in typed else nearest[0]
    return f"unknown field; did you mean {suggestion}?"


def _profile_faults(value: Any, source: str) -> dict[str, float]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        return dict(parse_fault(str(item), where=f"{source}: fault") for item in value)
    raise SettingsError(f"{source}: fault must be a table or a list of 'KIND=RATE' strings")


def load_profile(path: Path) -> dict[str, Any]:
    """Read a TOML profile into knob values (not yet validated)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read profile: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    return _normalise_profile(raw, str(path))


def build_settings(*layers: dict[str, Any], source: str = "settings") -> SimSettings:
    """Merge knob layers (later wins; `fault` merges per kind) and validate the result."""
    merged: dict[str, Any] = {}
    faults: dict[str, float] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "fault":
                faults.update(value)
            else:
                merged[key] = value
    merged["fault"] = faults
    try:
        settings = msgspec.convert(merged, SimSettings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    validate(settings)
    return settings


def validate(s: SimSettings) -> None:
    def need(ok: bool, knob: str, rule: str, value: object) -> None:
        if not ok:
            raise SettingsError(f"{knob} must be {rule}, got {value!r}")

    need(s.capacity >= 1, "capacity", ">= 1", s.capacity)
    need(0 <= s.port <= 65535, "port", "0..65535", s.port)
    for knob in ("prefill_us_per_token", "decode_ms", "batch_slowdown", "drift", "stall_seconds"):
        value = getattr(s, knob)
        need(value >= 0, knob.replace("_", "-"), ">= 0", value)
    need(0 <= s.depth_decay < 1, "depth-decay", "in [0, 1)", s.depth_decay)
    need(0 <= s.context_compression < 1, "context-compression", "in [0, 1)", s.context_compression)
    need(0 <= s.batch_variance <= 1, "batch-variance", "in [0, 1]", s.batch_variance)
    need(s.retry_after >= 0, "retry-after", ">= 0", s.retry_after)
    need(s.keepalive_interval > 0, "keepalive-interval", "> 0", s.keepalive_interval)
    need(s.stall_after >= 0, "stall-after", ">= 0", s.stall_after)
    need(s.mean_tokens >= 1, "mean-tokens", ">= 1", s.mean_tokens)
    need(s.templates >= 0, "templates", ">= 0 (0: off)", s.templates)
    need(0 <= s.variant_sensitivity <= 1, "variant-sensitivity", "in [0, 1]", s.variant_sensitivity)
    need(0 <= s.answer_choices <= 26, "answer-choices", "in 0..26 (0: off)", s.answer_choices)
    need(s.chunk_tokens >= 1, "chunk-tokens", ">= 1", s.chunk_tokens)
    need(s.hold_until_active >= 0, "hold-until-active", ">= 0", s.hold_until_active)
    need(
        s.hold_until_active <= s.capacity,
        "hold-until-active",
        f"<= capacity ({s.capacity})",
        s.hold_until_active,
    )
    for kind, rate in s.fault.items():
        need(kind in FAULT_KINDS, "fault kind", "one of " + ", ".join(FAULT_KINDS), kind)
        need(0 <= rate <= 1, f"fault rate for {kind}", "in [0, 1]", rate)
    total = sum(s.fault.values())
    need(total <= 1 + 1e-9, "sum of fault rates", "<= 1 (each request gets at most one)", total)
