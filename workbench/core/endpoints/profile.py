"""An endpoint profile: where an API lives, how to talk to it, what it costs. Never its key."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Literal

import msgspec

from workbench.core.plan import EndpointSpec
from workbench.core.records import ApiStyle
from workbench.core.redact import is_secret_header

API_STYLES: tuple[ApiStyle, ...] = ("openai", "anthropic")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
_ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110)
_URL = re.compile(r"^https?://[^/\s?#@]+(?:/[^\s?#]*)?$")

Origin = Literal["preset", "user", "override"]


class ProfileError(ValueError):
    """A profile is invalid. `field` names the offending field (as the CLI and dialog show it)."""

    def __init__(self, message: str, *, field: str = "", profile: str = "") -> None:
        self.field = field
        self.profile = profile
        where = f"profile {profile!r}: " if profile else ""
        named = f"{field}: " if field else ""
        super().__init__(f"{where}{named}{message}")


class ModelPrice(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """USD per million tokens."""

    input: float
    output: float


class EndpointProfile(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """One API endpoint as the user knows it.

    `base_url` is given the way the official SDK of its API style takes it: with ``/v1`` for
    OpenAI-style servers (``https://api.deepseek.com`` also works there), without it for
    Anthropic (``https://api.anthropic.com``). None means the built-in simulated endpoint.
    Prices are USD per million tokens; `model_prices` overrides them for named models.
    """

    name: str
    display_name: str = ""
    api: ApiStyle = "openai"
    base_url: str | None = None
    default_model: str = ""
    models: list[str] = []
    # Non-secret extra headers (OpenRouter's X-Title, a gateway's routing header). Never a key.
    headers: dict[str, str] = {}
    price_in_per_mtok: float | None = None
    price_out_per_mtok: float | None = None
    model_prices: dict[str, ModelPrice] = {}
    # Environment variable the command line reads the key from (e.g. DEEPSEEK_API_KEY).
    key_env: str | None = None
    # False for local servers that accept any key or none.
    needs_key: bool = True

    @property
    def label(self) -> str:
        return self.display_name or self.name

    def all_models(self) -> list[str]:
        """Known models with the default first, without repeats."""
        ordered = [self.default_model, *self.models] if self.default_model else list(self.models)
        return list(dict.fromkeys(m for m in ordered if m))


def validate_profile(profile: EndpointProfile) -> EndpointProfile:
    """Check what the types cannot. Raises ProfileError naming the field."""
    name = profile.name

    def bad(message: str, field: str) -> ProfileError:
        return ProfileError(message, field=field, profile=name if field != "name" else "")

    if not name.strip():
        raise bad("the name is empty", "name")
    if not NAME_PATTERN.match(name):
        raise bad(
            f"{name!r} is not a short name: use 1-40 lowercase letters, digits, '.', '_' or '-'"
            ", starting with a letter or digit (e.g. 'deepseek', 'my-vllm')",
            "name",
        )
    if profile.api not in API_STYLES:
        raise bad(f"{profile.api!r} is not one of {', '.join(API_STYLES)}", "api")
    if profile.base_url is not None:
        url = profile.base_url
        if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
            raise bad("credentials in the URL are not allowed; keys belong in the keyring",
                      "base_url")
        if "?" in url or "#" in url:
            raise bad("the base URL cannot have a query or fragment (keys belong in the "
                      "keyring, not in ?key=)", "base_url")
        if not _URL.match(url):
            raise bad(f"{url!r} is not an http(s) URL such as https://api.example.com/v1",
                      "base_url")
    for model in profile.models:
        if not model.strip():
            raise bad("a model name is empty", "models")
    if profile.default_model != profile.default_model.strip():
        raise bad("the model name has leading or trailing spaces", "default_model")
    for header, value in profile.headers.items():
        if not _HEADER_NAME.match(header):
            raise bad(f"{header!r} is not a valid header name", "headers")
        if is_secret_header(header):
            raise bad(
                f"{header!r} looks like a credential; keys belong in the keyring "
                f"(workbench keys set {name}), not in profile headers",
                "headers",
            )
        if "\n" in value or "\r" in value:
            raise bad(f"the value of {header!r} contains a line break", "headers")
    for field, price in (
        ("price_in_per_mtok", profile.price_in_per_mtok),
        ("price_out_per_mtok", profile.price_out_per_mtok),
    ):
        _check_price(price, field, bad)
    for model, prices in profile.model_prices.items():
        _check_price(prices.input, f"model_prices.{model}.input", bad)
        _check_price(prices.output, f"model_prices.{model}.output", bad)
    if (profile.price_in_per_mtok is None) != (profile.price_out_per_mtok is None):
        raise bad("give both input and output prices, or neither", "price_out_per_mtok"
                  if profile.price_out_per_mtok is None else "price_in_per_mtok")
    if profile.key_env is not None and not _ENV_VAR.match(profile.key_env):
        raise bad(f"{profile.key_env!r} is not an environment variable name", "key_env")
    return profile


def _check_price(
    price: float | None, field: str, bad: Callable[[str, str], ProfileError]
) -> None:
    if price is None:
        return
    if not math.isfinite(price):
        raise bad(f"{price} is not a number", field)
    if price < 0:
        raise bad(f"{price} is negative; prices are USD per million tokens, 0 or more", field)


def simulator_api_base(root: str, api: ApiStyle) -> str:
    """The local simulator's API base (from its root URL) as the official SDK of `api` takes
    it: OpenAI's base ends in /v1, Anthropic's does not (its SDK adds /v1/messages itself).
    A profile with no base_url runs on the simulator; this is where its base comes from."""
    return root + "/v1" if api == "openai" else root


def to_endpoint_spec(profile: EndpointProfile, model: str | None = None) -> EndpointSpec:
    """The plan's view of a profile: where to send requests (never the key)."""
    chosen = model or profile.default_model
    if not chosen:
        raise ProfileError(
            "no model given and the profile has no default model", field="default_model",
            profile=profile.name,
        )
    return EndpointSpec(
        name=profile.name,
        api=profile.api,
        base_url=profile.base_url,
        model=chosen,
        headers=dict(profile.headers),
    )


def cost_usd(
    prompt_tokens: int | None,
    completion_tokens: int | None,
    profile: EndpointProfile,
    model: str | None = None,
) -> float | None:
    """Cost in USD of the given token counts, or None when the profile has no prices (or a
    count is unknown: a partial sum would understate the cost)."""
    if prompt_tokens is None or completion_tokens is None:
        return None
    prices = profile.model_prices.get(model) if model else None
    if prices is not None:
        price_in, price_out = prices.input, prices.output
    elif profile.price_in_per_mtok is not None and profile.price_out_per_mtok is not None:
        price_in, price_out = profile.price_in_per_mtok, profile.price_out_per_mtok
    else:
        return None
    return (prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000
