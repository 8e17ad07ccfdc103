"""Depth proxies count what a reader would count."""

from __future__ import annotations

from workbench.core.analysis.text import TokenCoder, text_features, words

MARKDOWN = """# Caching

Caches keep hot data close. They trade memory for time!

## Kinds
- write-through caches
* write-back caches
1. read-aside caches
2) lazy loading

Is it worth it? Usually."""


def test_depth_proxies_of_a_structured_answer() -> None:
    f = text_features(MARKDOWN)
    assert f.headings == 2
    assert f.list_items == 4
    # 2 + 4 list lines + 2 in the last paragraph; headings are not sentences.
    assert f.sentences == 8
    assert f.words == len(words(MARKDOWN))
    assert f.chars == len(MARKDOWN)


def test_words_keep_contractions_and_hyphens_whole() -> None:
    assert words("Don't over-think it, 2 times.") == ["Don't", "over-think", "it", "2", "times"]


def test_distinct_bigrams_count_repeated_pairs_once() -> None:
    assert text_features("a b a b a b").distinct_bigrams == 2  # (a, b) and (b, a)
    assert text_features("one").distinct_bigrams == 0
    assert text_features("").words == 0


def test_token_coder_gives_common_words_small_codes() -> None:
    coder = TokenCoder([["x", "the", "the"], ["the", "y"]])
    assert coder.encode(["the"]) == [0]
    assert coder.encode(["new", "new"]) == [3, 3]  # unseen words get fresh, stable codes
