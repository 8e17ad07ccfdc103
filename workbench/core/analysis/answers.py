"""Parsing an answer out of a response (a user regex or a simple JSON path) for TARa."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import msgspec

_PATH_STEP = re.compile(r"""\.([A-Za-z_][\w\-]*)|\[(\d+)\]|\[(?:"([^"]*)"|'([^']*)')\]""")
# A JSON object or array, possibly inside a ```json fence: from the first opener to the end.
_JSON_START = re.compile(r"[\[{]")


class AnswerSpecError(ValueError):
    """A user regex or JSON path cannot be used; the message names which and why."""


PathStep = str | int


def parse_json_path(path: str) -> list[PathStep]:
    """Parse the supported subset: ``$``, ``.key``, ``[0]``, ``["key"]``; e.g. ``$.a.b[0]``."""
    text = path.strip()
    if not text.startswith("$"):
        raise AnswerSpecError(f"JSON path {path!r} must start with '$' (e.g. $.answer)")
    steps: list[PathStep] = []
    pos = 1
    while pos < len(text):
        match = _PATH_STEP.match(text, pos)
        if match is None:
            raise AnswerSpecError(
                f"JSON path {path!r}: cannot read {text[pos:]!r} at character {pos + 1} "
                "(supported: .key, [0], [\"key\"])"
            )
        key, index, dq, sq = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(key if key is not None else (dq if dq is not None else sq or ""))
        pos = match.end()
    return steps


def _find_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for match in _JSON_START.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        return value
    raise ValueError("no JSON value found")


class AnswerExtractor:
    """Pulls the answer from a response; `extract` returns None when it cannot."""

    def __init__(self, regex: str | None = None, json_path: str | None = None) -> None:
        if regex is not None and json_path is not None:
            raise AnswerSpecError("give either a regex or a JSON path for answers, not both")
        self.pattern: re.Pattern[str] | None = None
        self.path: list[PathStep] | None = None
        if regex is not None:
            try:
                self.pattern = re.compile(regex)
            except re.error as exc:
                raise AnswerSpecError(f"answer regex {regex!r} is invalid: {exc}") from None
        if json_path is not None:
            self.path = parse_json_path(json_path)

    def extract(self, text: str) -> str | None:
        if self.pattern is not None:
            match = self.pattern.search(text)
            if match is None:
                return None
            group = match.group(1) if self.pattern.groups else match.group(0)
            return None if group is None else group.strip()
        if self.path is not None:
            try:
                value: object = _find_json(text)
            except ValueError:
                return None
            for step in self.path:
                in_list = isinstance(step, int) and isinstance(value, list) and step < len(value)
                in_dict = isinstance(step, str) and isinstance(value, dict) and step in value
                if not (in_list or in_dict):
                    return None
                value = value[step]  # type: ignore[index]
            # Canonical form, so {"a":1,"b":2} and {"b":2,"a":1} agree.
            return msgspec.json.encode(value, order="sorted").decode()
        return None

    def normalise_expected(self, expected: str) -> str:
        """`expected` as `extract` would return it: stripped for a regex; for a JSON path the
        canonical JSON of the value it spells (`42`, `["a"]`), or of the string itself when it
        is not JSON (`--expect B` matches "B")."""
        if self.path is None:
            return expected.strip()
        try:
            value: object = json.loads(expected)
        except ValueError:
            value = expected
        return msgspec.json.encode(value, order="sorted").decode()


def total_agreement(answers: Sequence[str | None]) -> float | None:
    """1.0 if there are >= 2 answers, all parsed and equal; else 0.0 (None below 2)."""
    if len(answers) < 2:
        return None
    first = answers[0]
    if first is None:
        return 0.0
    return 1.0 if all(a == first for a in answers) else 0.0
