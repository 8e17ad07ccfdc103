"""The Endpoints dialog's writes: save, duplicate, delete or restore a profile, with its key.

Each runs in the window's "endpoints.save" task slot, one after another: a write is never
cut short by the next one (that one waits), so the profiles file and the keyring are never
left half-changed. A problem with a field is marked at the field; any other (the profiles
file cannot be written, an unknown profile) is said, as a sentence, by `say`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from workbench.core.endpoints import (
    EndpointProfile,
    EndpointsFileError,
    ListedProfile,
    ProfileError,
    UnknownProfile,
)
from workbench.ui.endpoints.form import ProfileForm, error_reason
from workbench.ui.endpoints.key_row import KeyRow
from workbench.ui.runtime.services import Services

SAVE_SLOT = "endpoints.save"
_WHERE_KEY_WENT = {
    "keyring": " and its key, in the system keyring",
    "memory": " and its key, in memory for this session only",
}


@dataclass(frozen=True, slots=True)
class Written:
    """What a finished write leaves: the profile to show next, the one changed ("" after a
    delete), and a sentence for the user."""

    select: str | None
    changed: str
    message: str


class Say(Protocol):
    def __call__(self, text: str, *, error: bool = False) -> None: ...


def _let_finish(task: asyncio.Task[Any]) -> None:
    """The slot's stop: do nothing, so the next write waits for this one to end."""


def copy_name(source: str, taken: set[str]) -> str:
    """`source`-copy, or -copy-2, -copy-3… the first not taken."""
    return next(
        candidate
        for n in range(1, 1000)
        if (candidate := f"{source}-copy" + (f"-{n}" if n > 1 else "")) not in taken
    )


class ProfileWrites:
    """Writes of the profile the dialog shows. `written` is called when one succeeded."""

    def __init__(
        self,
        services: Services,
        form: ProfileForm,
        key_row: KeyRow,
        *,
        written: Callable[[Written], None],
        say: Say,
    ) -> None:
        self.services = services
        self.form = form
        self.key_row = key_row
        self._written = written
        self._say = say
        self._slot = services.tasks.slot(SAVE_SLOT, stop=_let_finish)

    def run(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[Any]:
        """Run `coroutine` after the writes still going; its task, to watch it end."""
        return self._slot.bind(coroutine)

    def save(
        self, profile: EndpointProfile, *, is_new: bool, fields_changed: bool
    ) -> asyncio.Task[Any]:
        """Add or update `profile` (when its fields changed) and store the key typed."""
        return self.run(self._save(profile, is_new=is_new, fields_changed=fields_changed))

    def duplicate(self, source: str) -> asyncio.Task[Any]:
        """Save a copy of profile `source` under a free name, with the same key."""
        return self.run(self._duplicate(source))

    def delete(self, entry: ListedProfile) -> asyncio.Task[Any]:
        """Delete a profile of the user's (and its key), or restore an edited preset."""
        return self.run(self._delete(entry))

    def forget_key(self, profile: EndpointProfile) -> asyncio.Task[Any]:
        """Remove the saved key of `profile` (its fields, edited or not, stay as they are)."""
        return self.run(self._forget_key(profile))

    async def _save(self, profile: EndpointProfile, *, is_new: bool, fields_changed: bool) -> None:
        if is_new or fields_changed:
            try:
                if is_new:
                    self.services.profiles.add(profile)
                else:
                    self.services.profiles.update(profile)
            except ProfileError as exc:
                self.form.mark(exc.field, error_reason(exc))
                return
            except EndpointsFileError as exc:
                self._say(str(exc), error=True)
                return
        saved_to = await self.key_row.save(profile)
        where = _WHERE_KEY_WENT.get(saved_to or "", "")
        self._written(Written(profile.name, profile.name, f"Saved {profile.label}{where}."))

    async def _duplicate(self, source: str) -> None:
        profiles = self.services.profiles
        try:
            # The names taken now, not when asked: a copy made just before counts.
            copy = profiles.duplicate(source, copy_name(source, set(profiles.names())))
        except (ProfileError, EndpointsFileError, UnknownProfile) as exc:
            self._say(str(exc), error=True)
            return
        had_key = await self.key_row.copy(source, copy)
        same_key = " with the same key." if had_key else "."
        self._written(Written(copy.name, copy.name, f"Saved a copy as {copy.name}{same_key}"))

    async def _delete(self, entry: ListedProfile) -> None:
        name, label = entry.profile.name, entry.profile.label
        try:
            outcome = self.services.profiles.remove(name)
        except (ProfileError, EndpointsFileError, UnknownProfile) as exc:
            self._say(str(exc), error=True)
            return
        if outcome == "restored":  # the preset is back; its key is kept
            self._written(Written(name, "", f"Restored the built-in {label}."))
            return
        await self.key_row.forget(name)
        self._written(Written(None, "", f"Deleted {label}."))

    async def _forget_key(self, profile: EndpointProfile) -> None:
        await self.key_row.forget(profile)
        self._say(f"Forgot the key of {profile.label}.")
        await self.key_row.refresh()
