"""The Summary tab and the compare dialog write an effect's change and CI the same way."""

from __future__ import annotations

from workbench.core.analysis import Effect
from workbench.ui.sessions import compare_dialog
from workbench.ui.summary import summary_view


def _effect(**fields: object) -> Effect:
    base: dict[str, object] = dict(
        metric="error_rate", factor="level", group="", baseline=1, level=8, scale="absolute",
        unit="share", baseline_value=0.0, level_value=0.12, change=0.12, ci_low=0.05,
        ci_high=0.2, ci_level=0.99, significant=True, summary="a finding",
    )
    base.update(fields)
    return Effect(**base)  # type: ignore[arg-type]


def _change_and_ci(effect: Effect) -> tuple[tuple[str, str], tuple[str, str]]:
    summary = summary_view.effect_row(effect)
    compare = compare_dialog.effect_row(effect)
    return (summary[2], summary[3]), (compare[3], compare[4])


def test_both_views_spell_changes_and_intervals_alike() -> None:
    cases = {
        "+12 pp": _effect(),
        "+18%": _effect(metric="length_words", scale="relative", unit="words", change=0.18,
                        ci_low=0.11, ci_high=0.25),
        "+2.5 list items": _effect(metric="list_items", unit="list items", change=2.5,
                                   ci_low=1.2, ci_high=3.8),
    }
    for change, effect in cases.items():
        in_summary, in_compare = _change_and_ci(effect)
        assert in_summary == in_compare and in_summary[0] == change
        assert " to " in in_summary[1] and "pts" not in in_summary[1]


def test_an_interval_with_one_end_reads_as_a_bound_in_both_views() -> None:
    open_ended = _effect(metric="ttft_p50", scale="relative", unit="ms", change=0.4,
                         ci_low=0.05, ci_high=None)
    in_summary, in_compare = _change_and_ci(open_ended)
    assert in_summary == in_compare == ("+40%", "≥ +5%")
