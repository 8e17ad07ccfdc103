"""Answers parsed by a regex or a JSON path; an unparsable answer never agrees."""

from __future__ import annotations

import pytest

from workbench.core.analysis.answers import (
    AnswerExtractor,
    AnswerSpecError,
    parse_json_path,
    total_agreement,
)


def test_regex_takes_group_one_or_the_whole_match() -> None:
    assert AnswerExtractor(regex=r"Answer:\s*(\w+)").extract("Thinking... Answer: Paris.") == (
        "Paris"
    )
    assert AnswerExtractor(regex=r"\d+").extract("It is 42 or 43") == "42"
    assert AnswerExtractor(regex=r"Answer: (\w+)").extract("I do not know") is None


def test_json_path_reads_fenced_json_and_compares_canonically() -> None:
    extract = AnswerExtractor(json_path="$.result.items[1]").extract
    text = 'Here:\n```json\n{"result": {"items": [1, {"b": 2, "a": 1}]}}\n```'
    assert extract(text) == '{"a":1,"b":2}'
    assert extract('{"result": {"items": [1, {"a": 1, "b": 2}]}}') == '{"a":1,"b":2}'
    assert extract('{"result": {"items": [1]}}') is None  # index out of range
    assert extract("no json here") is None
    assert AnswerExtractor(json_path='$["odd key"]').extract('{"odd key": "x"}') == '"x"'


def test_unparsable_answers_never_agree() -> None:
    assert total_agreement(["4", "4", "4"]) == 1.0
    assert total_agreement(["4", "4", "5"]) == 0.0
    assert total_agreement([None, None]) == 0.0
    assert total_agreement(["4"]) is None


def test_bad_specs_name_what_is_wrong() -> None:
    with pytest.raises(AnswerSpecError, match=r"must start with '\$'"):
        parse_json_path("a.b")
    with pytest.raises(AnswerSpecError, match="at character 4"):
        parse_json_path("$.a..b")
    with pytest.raises(AnswerSpecError, match="regex '\\(' is invalid"):
        AnswerExtractor(regex="(")
    with pytest.raises(AnswerSpecError, match="not both"):
        AnswerExtractor(regex="x", json_path="$.a")
    assert parse_json_path("$.a.b[0]") == ["a", "b", 0]
