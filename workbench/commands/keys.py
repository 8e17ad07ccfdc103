"""`workbench keys set|status|delete PROFILE`: API keys in the system keyring.

A key is never taken from an argument (it would land in shell history and `ps`): `set` reads
it from stdin when stdin is not a terminal, else from a hidden prompt.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from workbench.core.endpoints import (
    EndpointProfile,
    EndpointsFileError,
    ProfileStore,
    UnknownProfile,
)
from workbench.core.secrets import InvalidKey, KeyStore

EXIT_OK, EXIT_FAILED, EXIT_BAD_ARGS = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="save, check or delete API keys (system keyring)",
        description="API keys live in the system keyring, one per endpoint profile. On the "
        "command line the profile's environment variable (e.g. DEEPSEEK_API_KEY) overrides it.",
    )
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    set_parser = actions.add_parser(
        "set",
        help="save a key (read from stdin, or typed at a hidden prompt)",
        description="Save the API key for PROFILE in the system keyring. The key is read from "
        "stdin when it is not a terminal (e.g. `pass show deepseek | workbench keys set "
        "deepseek`), otherwise typed at a prompt that does not echo it.",
    )
    set_parser.add_argument("profile", metavar="PROFILE", help="endpoint profile name")
    # Catches a key typed as an argument, so argparse's "unrecognized arguments" error does
    # not echo it back.
    set_parser.add_argument("unexpected", nargs="*", help=argparse.SUPPRESS)
    set_parser.add_argument("--key", "--api-key", dest="unexpected_option", help=argparse.SUPPRESS)
    set_parser.set_defaults(func=run_set)
    status_parser = actions.add_parser(
        "status", help="say where the key for a profile would come from (never prints it)"
    )
    status_parser.add_argument("profile", metavar="PROFILE", help="endpoint profile name")
    status_parser.set_defaults(func=run_status)
    delete_parser = actions.add_parser("delete", help="delete a saved key from the keyring")
    delete_parser.add_argument("profile", metavar="PROFILE", help="endpoint profile name")
    delete_parser.set_defaults(func=run_delete)


def error(message: str, command: str = "keys") -> None:
    print(f"workbench {command}: error: {message}", file=sys.stderr)


def find_profile(name: str, command: str) -> tuple[EndpointProfile | None, int]:
    """The profile, or None and the exit code after printing why."""
    try:
        return ProfileStore().get(name), EXIT_OK
    except UnknownProfile as exc:
        error(f"PROFILE: {exc}", command)
        return None, EXIT_BAD_ARGS
    except EndpointsFileError as exc:
        error(str(exc), command)
        return None, EXIT_FAILED


def key_status(profile: EndpointProfile, store: KeyStore) -> str:
    """A short status for tables: where the key would come from, never the key."""
    lookup = store.get(profile)
    if lookup.source == "environment":
        return f"env {lookup.env_var}"
    if lookup.source != "none":
        return lookup.source
    return "not needed" if not profile.needs_key else "missing"


def read_key(stdin: TextIO, prompt: str) -> str:
    if stdin.isatty():
        return getpass.getpass(prompt)
    return stdin.read()


def run_set(args: argparse.Namespace) -> int:
    if args.unexpected or args.unexpected_option is not None:
        error(
            "keys set takes no key argument (arguments end up in shell history and process "
            "lists). Pipe the key on stdin or type it at the prompt; if that was a real key, "
            "remove it from your shell history.",
            "keys set",
        )
        return EXIT_BAD_ARGS
    profile, code = find_profile(args.profile, "keys set")
    if profile is None:
        return code
    store = KeyStore()
    status = store.backend_status()
    if not status.usable:
        # This process ends right away, so a key kept "in memory for this run" is useless.
        hint = f" Set {profile.key_env} in the environment instead." if profile.key_env else ""
        error(
            f"{status.short_message}; the key was not saved (a key kept in memory would be "
            "lost as this command exits). Install and unlock a Secret Service keyring such as "
            f"GNOME Keyring or KWallet.{hint}",
            "keys set",
        )
        return EXIT_FAILED
    try:
        key = read_key(sys.stdin, f"API key for {profile.label} ({profile.name}): ")
    except (EOFError, KeyboardInterrupt):
        error("no key given", "keys set")
        return EXIT_FAILED
    try:
        where = store.set(profile, key)
    except InvalidKey as exc:
        error(f"the key was not saved: {exc}", "keys set")
        return EXIT_FAILED
    if where != "keyring":  # the keyring failed while saving
        error(f"{store.backend_status().short_message}; the key was not saved.", "keys set")
        return EXIT_FAILED
    print(f"Saved the key for {profile.name!r} in the system keyring ({status.backend}).")
    _warn_env_override(profile)
    return EXIT_OK


def _warn_env_override(profile: EndpointProfile) -> None:
    """The keyring was changed, but on the command line the environment still wins."""
    if profile.key_env and KeyStore(allow_env=True).get(profile).source == "environment":
        print(
            f"Note: {profile.key_env} is set in this environment; on the command line it "
            "takes precedence over the keyring."
        )


def run_status(args: argparse.Namespace) -> int:
    profile, code = find_profile(args.profile, "keys status")
    if profile is None:
        return code
    store = KeyStore(allow_env=True)
    lookup = store.get(profile)
    name = profile.name
    if lookup.source == "environment":
        also = " (a keyring entry also exists)" if store.stored_in_keyring(profile) else ""
        print(
            f"{name}: the key comes from the environment variable {lookup.env_var}, which "
            f"overrides the keyring on the command line{also}."
        )
        return EXIT_OK
    if lookup.source == "keyring":
        print(f"{name}: the key comes from the system keyring ({store.backend_status().backend}).")
        return EXIT_OK
    if not profile.needs_key:
        print(f"{name}: no key is set, and this endpoint does not need one.")
        return EXIT_OK
    hint = f" or set the environment variable {profile.key_env}" if profile.key_env else ""
    print(f"{name}: no key. Save one with `workbench keys set {name}`{hint}.")
    status = store.backend_status()
    if not status.usable:
        print(f"{status.short_message}.")
    return EXIT_FAILED


def run_delete(args: argparse.Namespace) -> int:
    profile, code = find_profile(args.profile, "keys delete")
    if profile is None:
        return code
    store = KeyStore()
    status = store.backend_status()
    if not status.usable:
        error(f"{status.short_message}; there is nothing to delete.", "keys delete")
        return EXIT_FAILED
    deleted = store.delete(profile)
    if not store.backend_status().usable:  # the keyring failed while deleting
        error(f"{store.backend_status().short_message}.", "keys delete")
        return EXIT_FAILED
    if deleted:
        print(f"Deleted the key for {profile.name!r} from the system keyring.")
    else:
        print(f"No key for {profile.name!r} was saved in the system keyring; nothing to delete.")
    _warn_env_override(profile)
    return EXIT_OK
