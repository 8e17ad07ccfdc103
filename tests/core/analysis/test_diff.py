"""Word diff: ops tile both texts, so the UI can render the originals with highlights."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workbench.core.analysis.diff import DiffOp, word_diff


def _check_tiling(a: str, b: str, ops: list[DiffOp]) -> None:
    assert "".join(a[o.a_start:o.a_end] for o in ops) == a
    assert "".join(b[o.b_start:o.b_end] for o in ops) == b
    for op in ops:
        if op.tag == "insert":
            assert op.a_start == op.a_end
        if op.tag == "delete":
            assert op.b_start == op.b_end


def _pieces(a: str, b: str, ops: list[DiffOp]) -> list[tuple[str, str, str]]:
    return [(o.tag, a[o.a_start:o.a_end], b[o.b_start:o.b_end]) for o in ops]


def test_a_replaced_word_is_one_replace_op_with_its_offsets() -> None:
    a = "The quick fox jumps."
    b = "The slow fox jumps."
    ops = word_diff(a, b)
    _check_tiling(a, b, ops)
    assert _pieces(a, b, ops) == [
        ("equal", "The ", "The "),
        ("replace", "quick ", "slow "),
        ("equal", "fox jumps.", "fox jumps."),
    ]
    replace = ops[1]
    assert (replace.a_word_start, replace.a_word_end) == (1, 2)
    assert (replace.b_start, replace.b_end) == (4, 9)


def test_inserted_and_deleted_words_keep_whitespace_and_newlines() -> None:
    a = "  First line.\n\n- item one\n- item two\n"
    b = "  First line.\n\n- item one\n- item three\n- item four\n"
    ops = word_diff(a, b)
    _check_tiling(a, b, ops)
    assert [o.tag for o in ops if o.tag != "equal"]
    assert word_diff(b, a)[-1].tag in {"delete", "replace"}


def test_identical_and_empty_texts() -> None:
    assert [o.tag for o in word_diff("same text", "same text")] == ["equal"]
    assert [o.tag for o in word_diff("", "")] == ["equal"]
    ops = word_diff("", "new words")
    assert [(o.tag, o.b_start, o.b_end) for o in ops] == [("insert", 0, 9)]
    _check_tiling("  ", "gone", word_diff("  ", "gone"))
    _check_tiling("text", " \n", word_diff("text", " \n"))


def test_long_texts_tile_exactly() -> None:
    a = " ".join(f"w{i % 997}" for i in range(10_000))
    b = a.replace("w5 ", "changed ", 7).replace("w900", "w900 extra", 3)
    ops = word_diff(a, b)
    _check_tiling(a, b, ops)
    assert sum(o.tag != "equal" for o in ops) >= 10


@given(st.text(alphabet="ab c.\n", max_size=40), st.text(alphabet="ab c.\n", max_size=40))
def test_any_pair_of_texts_is_tiled(a: str, b: str) -> None:
    ops = word_diff(a, b)
    _check_tiling(a, b, ops)
    for op in ops:
        if op.tag == "equal":
            # Same words and punctuation; only the whitespace between them may differ.
            assert "".join(a[op.a_start:op.a_end].split()) == "".join(
                b[op.b_start:op.b_end].split()
            )
