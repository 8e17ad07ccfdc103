"""`workbench endpoints list|add|remove`: endpoint profiles (presets and the user's own)."""

from __future__ import annotations

import argparse
import math

from workbench.commands.keys import EXIT_BAD_ARGS, EXIT_FAILED, EXIT_OK, error, key_status
from workbench.core.endpoints import (
    API_STYLES,
    EndpointProfile,
    EndpointsFileError,
    ProfileError,
    ProfileStore,
    UnknownProfile,
)
from workbench.core.secrets import KeyStore

# Which command-line argument each profile field comes from, to name it in errors.
_FLAG_OF_FIELD = {
    "name": "NAME",
    "api": "--api",
    "base_url": "--base-url",
    "default_model": "--model",
    "models": "--models",
    "headers": "--header",
    "price_in_per_mtok": "--price-in",
    "price_out_per_mtok": "--price-out",
    "key_env": "--key-env",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "endpoints",
        help="list, add or remove endpoint profiles",
        description="Endpoint profiles: the built-in presets plus your own, saved in "
        "endpoints.json in the user config folder. Keys are kept apart: see `workbench keys`.",
    )
    actions = parser.add_subparsers(dest="endpoints_action", metavar="ACTION", required=True)

    list_parser = actions.add_parser("list", help="show every profile and its key status")
    list_parser.set_defaults(func=run_list)

    add = actions.add_parser("add", help="save a new profile (or replace one with --replace)")
    add.add_argument("name", metavar="NAME", help="short name, e.g. my-vllm")
    add.add_argument("--api", required=True, choices=API_STYLES, help="API style")
    add.add_argument("--base-url", required=True, metavar="URL",
                     help="API base as the SDK takes it, e.g. http://gpu-box:8000/v1")
    add.add_argument("--model", required=True, metavar="M", help="default model")
    add.add_argument("--models", metavar="M1,M2", type=_comma_list, default=[],
                     help="other known models, comma-separated")
    add.add_argument("--display-name", metavar="TEXT", default="", help="name shown in the window")
    add.add_argument("--price-in", metavar="X", type=_price, default=None,
                     help="USD per million input tokens")
    add.add_argument("--price-out", metavar="Y", type=_price, default=None,
                     help="USD per million output tokens")
    add.add_argument("--header", metavar="K=V", type=_header, action="append", default=[],
                     help="extra non-secret header (repeatable); never a key")
    add.add_argument("--key-env", metavar="VAR", default=None,
                     help="environment variable holding the key, e.g. MY_API_KEY")
    add.add_argument("--no-key", action="store_true", help="the endpoint needs no key")
    add.add_argument("--replace", action="store_true",
                     help="replace a saved profile of that name, or override a preset")
    add.set_defaults(func=run_add)

    remove = actions.add_parser("remove", help="delete a saved profile (presets stay)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=run_remove)


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _price(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a price must be a number, 0 or more")
    return value


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name.strip(), value.strip()


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)


def run_list(args: argparse.Namespace) -> int:
    try:
        entries = ProfileStore().entries()
    except EndpointsFileError as exc:
        error(str(exc), "endpoints list")
        return EXIT_FAILED
    keys = KeyStore(allow_env=True)
    rows = [["NAME", "API", "BASE URL", "MODEL", "KEY", "ORIGIN"]]
    for entry in entries:
        profile = entry.profile
        rows.append([
            profile.name,
            profile.api,
            profile.base_url or "(built-in simulator)",
            profile.default_model or "-",
            key_status(profile, keys),
            entry.origin,
        ])
    print(_table(rows))
    status = keys.backend_status()
    if not status.usable:
        print(f"\n{status.short_message}: only environment variables can supply keys.")
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    price_in, price_out = args.price_in, args.price_out
    if (price_in is None) != (price_out is None):
        missing = "--price-out" if price_out is None else "--price-in"
        error(f"{missing}: give both --price-in and --price-out, or neither", "endpoints add")
        return EXIT_BAD_ARGS
    profile = EndpointProfile(
        name=args.name,
        display_name=args.display_name,
        api=args.api,
        base_url=args.base_url,
        default_model=args.model,
        models=[args.model, *(m for m in args.models if m != args.model)],
        headers=dict(args.header),
        price_in_per_mtok=price_in,
        price_out_per_mtok=price_out,
        key_env=args.key_env,
        needs_key=not args.no_key,
    )
    try:
        ProfileStore().add(profile, replace=args.replace)
    except ProfileError as exc:
        flag = _FLAG_OF_FIELD.get(exc.field.split(".")[0], exc.field)
        message = str(exc).split(f"{exc.field}: ", 1)[-1] if exc.field else str(exc)
        if exc.field == "name" and "already used" in message:
            message += " with --replace"
        error(f"{flag}: {message}", "endpoints add")
        return EXIT_BAD_ARGS
    except (EndpointsFileError, OSError) as exc:
        error(str(exc), "endpoints add")
        return EXIT_FAILED
    print(f"Saved endpoint profile {profile.name!r} ({profile.api}, {profile.base_url}).")
    if not args.no_key:
        print(f"Save its key with: workbench keys set {profile.name}")
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    try:
        outcome = ProfileStore().remove(args.name)
    except UnknownProfile as exc:
        error(f"NAME: {exc}", "endpoints remove")
        return EXIT_BAD_ARGS
    except ProfileError:
        error(
            f"{args.name!r} is a built-in preset and cannot be removed (only saved profiles and "
            "your changes to presets can).",
            "endpoints remove",
        )
        return EXIT_FAILED
    except (EndpointsFileError, OSError) as exc:
        error(str(exc), "endpoints remove")
        return EXIT_FAILED
    if outcome == "restored":
        print(f"Removed your changes to {args.name!r}; the built-in preset is back.")
    else:
        print(f"Removed endpoint profile {args.name!r}.")
    print(
        f"A key saved for it stays in the keyring (`workbench keys delete {args.name}` "
        "removes it)."
    )
    return EXIT_OK
