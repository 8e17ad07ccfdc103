"""The profiles file: user profiles and preset overrides, as plain JSON in the config folder.

Every change re-reads the file first (so an edit made meanwhile by the window or another
command is kept) and writes atomically: a temp file in the same folder, fsync, os.replace. A
file that cannot be read is never overwritten: the error names it and what is wrong, and
`move_aside()` (the dialog's "start over") renames it to a .bak before anything new is saved.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec
import platformdirs

from workbench.core.endpoints.presets import PRESET_NAMES, PRESETS
from workbench.core.endpoints.profile import (
    EndpointProfile,
    Origin,
    ProfileError,
    validate_profile,
)
from workbench.core.files import write_atomically
from workbench.core.unknown_fields import find_unknown_field

FILE_FORMAT = "workbench-endpoints"
FILE_VERSION = 1
FILE_NAME = "endpoints.json"


def profiles_path() -> Path:
    """Where user profiles live (platformdirs honours XDG_CONFIG_HOME at each call)."""
    return Path(platformdirs.user_config_dir("workbench")) / FILE_NAME


class EndpointsFileError(Exception):
    """The profiles file cannot be used. Names the file and what is wrong with it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        stop = "" if problem.endswith(("?", ".")) else "."
        super().__init__(
            f"{path}: {problem}{stop} The file was left unchanged: fix it, or move it aside "
            "to start again from the built-in presets."
        )


class UnknownProfile(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"no endpoint profile named {name!r}; known profiles: {', '.join(known)}")


@dataclass(frozen=True, slots=True)
class ListedProfile:
    profile: EndpointProfile
    origin: Origin  # preset, user (added), override (a user edit of a preset)


class _ProfilesFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    format: str = FILE_FORMAT
    version: int = FILE_VERSION
    profiles: list[EndpointProfile] = []


class ProfileStore:
    """Presets plus the user's profiles file. Cheap to create; reads the file on each call."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else profiles_path()

    # --- reading -----------------------------------------------------------------------

    def user_profiles(self) -> list[EndpointProfile]:
        """Profiles saved in the file, in file order. Raises EndpointsFileError."""
        path = self.path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise EndpointsFileError(path, f"cannot be read ({exc.strerror})") from None
        return _parse(path, raw)

    def entries(self) -> list[ListedProfile]:
        """Every profile to offer: presets (or their overrides) first, then user profiles."""
        saved = {p.name: p for p in self.user_profiles()}
        listed = [
            ListedProfile(saved.pop(p.name), "override") if p.name in saved
            else ListedProfile(p, "preset")
            for p in PRESETS
        ]
        listed.extend(ListedProfile(p, "user") for p in saved.values())
        return listed

    def profiles(self) -> list[EndpointProfile]:
        return [entry.profile for entry in self.entries()]

    def names(self) -> list[str]:
        return [entry.profile.name for entry in self.entries()]

    def get(self, name: str) -> EndpointProfile:
        """The profile called `name`. Raises UnknownProfile listing the known names."""
        for entry in self.entries():
            if entry.profile.name == name:
                return entry.profile
        raise UnknownProfile(name, self.names())

    def origin(self, name: str) -> Origin:
        for entry in self.entries():
            if entry.profile.name == name:
                return entry.origin
        raise UnknownProfile(name, self.names())

    # --- changing ----------------------------------------------------------------------

    def add(self, profile: EndpointProfile, *, replace: bool = False) -> EndpointProfile:
        """Save a new profile, or (with `replace`) change an existing one. Giving a preset's
        name with `replace` saves an override of that preset."""
        validate_profile(profile)
        saved = self.user_profiles()
        exists = profile.name in PRESET_NAMES or any(p.name == profile.name for p in saved)
        if exists and not replace:
            kind = "a built-in preset" if profile.name in PRESET_NAMES else "a saved profile"
            raise ProfileError(
                f"{profile.name!r} is already used by {kind}; choose another name "
                "(or replace it)",
                field="name",
            )
        updated = [profile if p.name == profile.name else p for p in saved]
        if not any(p.name == profile.name for p in saved):
            updated.append(profile)
        self._write(updated)
        return profile

    def update(self, profile: EndpointProfile) -> EndpointProfile:
        return self.add(profile, replace=True)

    def duplicate(self, name: str, new_name: str, display_name: str = "") -> EndpointProfile:
        """Save a copy of `name` (preset or not) as `new_name`."""
        source = self.get(name)
        copy = msgspec.structs.replace(
            source, name=new_name, display_name=display_name or f"{source.label} (copy)"
        )
        return self.add(copy)

    def remove(self, name: str) -> Literal["removed", "restored"]:
        """Delete a saved profile. Removing an override restores the preset ("restored");
        a preset itself cannot be removed (ProfileError)."""
        saved = self.user_profiles()
        if not any(p.name == name for p in saved):
            if name in PRESET_NAMES:
                raise ProfileError(
                    f"{name!r} is a built-in preset and cannot be removed", field="name"
                )
            raise UnknownProfile(name, self.names())
        self._write([p for p in saved if p.name != name])
        return "restored" if name in PRESET_NAMES else "removed"

    def move_aside(self) -> Path | None:
        """Rename the profiles file (e.g. an unreadable one) to a .bak; returns the new path."""
        path = self.path
        if not path.exists():
            return None
        backup = path.with_name(path.name + ".bak")
        if backup.exists():
            backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
        os.replace(path, backup)
        return backup

    def _write(self, profiles: list[EndpointProfile]) -> None:
        document = _ProfilesFile(profiles=profiles)
        data = json.dumps(msgspec.to_builtins(document), indent=2, ensure_ascii=False) + "\n"
        write_atomically(self.path, data.encode("utf-8"))


def _parse(path: Path, raw: bytes) -> list[EndpointProfile]:
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise EndpointsFileError(path, "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise EndpointsFileError(
            path, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise EndpointsFileError(path, "does not hold a JSON object at the top level")
    if data.get("format", FILE_FORMAT) != FILE_FORMAT:
        raise EndpointsFileError(path, f"is not a profiles file (format {data['format']!r})")
    version = data.get("version", FILE_VERSION)
    if isinstance(version, int) and version > FILE_VERSION:
        raise EndpointsFileError(
            path, f"was written by a newer version of workbench (file version {version})"
        )
    try:
        document = msgspec.convert(data, _ProfilesFile, strict=True)
    except msgspec.ValidationError as exc:
        unknown = find_unknown_field(exc, _ProfilesFile, data)
        if unknown is not None:
            raise EndpointsFileError(path, str(unknown)) from None
        # msgspec says e.g. "Expected `str`, got `int` - at `$.profiles[0].base_url`".
        raise EndpointsFileError(path, f"has a wrong value: {exc}") from None
    seen: set[str] = set()
    for index, profile in enumerate(document.profiles):
        try:
            validate_profile(profile)
        except ProfileError as exc:
            raise EndpointsFileError(path, f"profiles[{index}]: {exc}") from None
        if profile.name in seen:
            raise EndpointsFileError(
                path, f"profiles[{index}]: the name {profile.name!r} appears twice"
            )
        seen.add(profile.name)
    return document.profiles
