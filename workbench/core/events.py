"""Events the runner emits. The runner knows nothing of who listens.

Subscribers (the session journal, the UI bridge, the CLI progress bar) are plain callables
called synchronously on the event loop's thread; they must be quick and never block. Text
deltas are emitted only if some subscriber asked for them, so the CLI pays nothing per chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.core.plan import Plan
from workbench.core.records import CellKey, Sample


@dataclass(frozen=True, slots=True)
class RunStarted:
    session: str
    plan: Plan
    total: int  # planned requests (retries come on top)
    workers: int = 1  # engine processes (core.sharded); 1 is the single event loop


@dataclass(frozen=True, slots=True)
class LevelStarted:
    level: int
    # Requests planned so far, this level's included: a knee search adds each level's only
    # when it starts it (a fixed sweep plans them all at the start).
    planned: int = 0


@dataclass(frozen=True, slots=True)
class AttemptStarted:
    id: int
    cell: CellKey
    repetition: int
    attempt: int
    in_flight: int
    send_wall: float
    retry_of: int | None = None  # id of the attempt this one retries
    chain: int | None = None  # in a chain plan: the chain's number within the session


@dataclass(frozen=True, slots=True)
class AttemptDelta:
    """New text of a streaming attempt since the last delta (content and/or reasoning)."""

    id: int
    content: str
    reasoning: str


@dataclass(frozen=True, slots=True)
class AttemptFinished:
    sample: Sample
    final: bool  # False when a retry of this attempt follows


@dataclass(frozen=True, slots=True)
class RunFinished:
    session: str
    counts: dict[str, int] = field(default_factory=dict)  # ok / error / cancelled
    cancelled: bool = False
    levels: list[int] = field(default_factory=list)  # the levels started, in order


Event = RunStarted | LevelStarted | AttemptStarted | AttemptDelta | AttemptFinished | RunFinished
Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self.wants_deltas = False

    def subscribe(self, subscriber: Subscriber, *, deltas: bool = False) -> None:
        self._subscribers.append(subscriber)
        self.wants_deltas = self.wants_deltas or deltas

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.remove(subscriber)

    def emit(self, event: Event) -> None:
        for subscriber in self._subscribers:
            subscriber(event)
