"""Edit > Semantic similarity model folder…: the window's analysis, heatmap and settings with
a tiny embedding model the test writes; a bad folder named in the error. Real window, real
simulator over loopback."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from tests.helpers.embedding_model import write_model
from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, wait_finished
from workbench.core.analysis import words
from workbench.ui.common import errors
from workbench.ui.summary.semantic_setting import SETTING_KEY

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PROMPT = "Explain how DNS caching works."
TIMEOUT_MS = 30_000


@pytest.fixture
def error_dialog():
    yield (
        lambda: (
            errors._dialog if errors._dialog is not None and errors._dialog.isVisible() else None
        )
    )
    if errors._dialog is not None:
        errors._dialog.close()
        errors._dialog = None


def _final(window):
    latest = window.summary.analysis.latest
    return latest.report if latest is not None and latest.final else None


def test_a_chosen_model_reanalyses_the_run_by_meaning_and_is_remembered(
    window_factory, sim_factory, qtbot, tmp_path
):
    # Three fixed answers, a few words reworded per response: three clusters by words.
    root = sim_factory("--zero-delay", "--templates", "3", "--seed", "4")
    window = window_factory(simulator_root=root)
    window.tabs.setCurrentWidget(window.summary)
    fill_plan(qtbot, window, PROMPT, "1", 12)
    window.params.temperature_spin.setValue(0.8)
    click_run(qtbot, window)
    wait_finished(qtbot, window)
    qtbot.waitUntil(lambda: _final(window) is not None, timeout=TIMEOUT_MS)
    by_words = _final(window)
    assert by_words.similarity_measure == "words"
    assert by_words.cells[0].diversity.clusters == 3
    assert window.semantic.words_action.isChecked()

    # A model in which every word of the run means the same: one answer by meaning.
    vocabulary = {w for s in window.summary.analysis.latest.samples for w in words(s.text.lower())}
    rng = np.random.default_rng(0)
    base = rng.normal(size=16)
    folder = write_model(
        tmp_path / "one-meaning",
        {w: base + rng.normal(scale=1e-4, size=16) for w in sorted(vocabulary)},
    )
    window.semantic.model_action.trigger()
    dialog = window.findChild(QFileDialog, "semanticModelDialog")
    assert dialog is not None and dialog.isVisible()  # open(), never exec()
    dialog.fileSelected.emit(str(folder))
    dialog.close()
    qtbot.waitUntil(
        lambda: _final(window) is not None and _final(window).similarity_measure != "words",
        timeout=TIMEOUT_MS,
    )
    report = _final(window)
    assert report.similarity_measure.startswith("embeddings: one-meaning (")
    d = report.cells[0].diversity
    assert (d.clusters, d.semantic_entropy, d.modal_agreement) == (1, 0.0, 1.0)
    assert "similarity by embeddings: one-meaning" in window.summary.total_label.text()
    assert window.semantic.model_action.isChecked()
    assert "(one-meaning)" in window.semantic.model_action.text()

    # The heatmap draws the same similarity: every pair alike.
    window.tabs.setCurrentWidget(window.plots)
    window.plots.variation_button.click()
    variation = window.plots.analysis_plots
    qtbot.waitUntil(
        lambda: variation.heatmap is not None and variation.heatmap.measure != "words",
        timeout=TIMEOUT_MS,
    )
    assert variation.heatmap.matrix.shape == (12, 12)
    assert variation.heatmap.matrix.min() > 0.99

    # Remembered: a new window on the same settings loads it again by itself.
    assert window.services.settings.value(SETTING_KEY) == str(folder)
    second = window_factory()
    qtbot.waitUntil(lambda: second.semantic.measure is not None, timeout=TIMEOUT_MS)
    assert second.semantic.measure.label == report.similarity_measure

    # Back to words: the run is analysed by words again and the setting is gone.
    window.tabs.setCurrentWidget(window.summary)
    window.semantic.words_action.trigger()
    qtbot.waitUntil(
        lambda: _final(window) is not None and _final(window).similarity_measure == "words",
        timeout=TIMEOUT_MS,
    )
    assert _final(window).cells[0].diversity.clusters == 3
    assert window.services.settings.value(SETTING_KEY) is None
    assert "similarity by" not in window.summary.total_label.text()


def test_a_bad_folder_is_named_in_the_error_and_the_analysis_keeps_words(
    main_window, qtbot, tmp_path, error_dialog
):
    folder = tmp_path / "a-transformer"
    folder.mkdir()
    (folder / "modules.json").write_text(
        '[{"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"}]'
    )
    task = main_window.semantic.load(folder)
    qtbot.waitUntil(task.done, timeout=TIMEOUT_MS)
    dialog = error_dialog()
    assert dialog is not None
    assert str(folder) in dialog.text() and "needs PyTorch" in dialog.text()
    assert "keeps using word similarity" in dialog.text()
    assert main_window.semantic.measure is None
    assert main_window.semantic.words_action.isChecked()
    assert main_window.services.settings.value(SETTING_KEY) is None
