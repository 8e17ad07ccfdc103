"""Edit > Semantic similarity model folder…: the optional embedding model behind the
similarity, clusters and Vendi figures of the Summary and the Plots' heatmap.

Off by default (word similarity). The chosen folder is kept in the settings and loaded again
at start; the model is read in a worker thread, never on the Qt thread. A folder that cannot
be used is named in a non-modal error dialog and the analysis keeps its current similarity.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from workbench.core.analysis import (
    EmbeddingModelError,
    SimilarityMeasure,
    load_embedding_similarity,
)
from workbench.ui.common.errors import show_error
from workbench.ui.runtime.tasks import TaskManager

SETTING_KEY = "analysis/embedding_model"
TITLE = "Semantic similarity"


class SemanticSimilaritySetting(QObject):
    """Owns the two menu entries and the loaded model; `changed` carries the measure
    (None = word similarity) whenever it changes."""

    changed = Signal(object)  # SimilarityMeasure | None
    status = Signal(str)  # a line for the status bar

    def __init__(
        self, settings: QSettings, tasks: TaskManager, menu: QMenu, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.parent_widget = parent
        self.measure: SimilarityMeasure | None = None
        self.folder: Path | None = None
        self.dialog: QFileDialog | None = None
        self._slot = tasks.slot("embedding-model")
        group = QActionGroup(self)
        self.words_action = QAction("&Word similarity (default)", parent)
        self.words_action.setObjectName("wordSimilarityAction")
        self.model_action = QAction("Semantic similarity &model folder…", parent)
        self.model_action.setObjectName("semanticModelAction")
        for action in (self.words_action, self.model_action):
            action.setCheckable(True)
            group.addAction(action)
        self.words_action.setChecked(True)
        self.words_action.setToolTip("Compare responses word by word (Indel similarity)")
        self.model_action.setToolTip(
            "Compare responses by meaning with a static embedding model on disk "
            "(model2vec: model.safetensors + tokenizer.json); nothing is downloaded"
        )
        self.words_action.triggered.connect(lambda _=False: self.use_words())
        self.model_action.triggered.connect(lambda _=False: self.ask())
        menu.addSeparator()
        menu.addAction(self.words_action)
        menu.addAction(self.model_action)

    def restore(self) -> None:
        """Load the folder chosen in an earlier session, if any (in the background)."""
        saved = self.settings.value(SETTING_KEY, "")
        if isinstance(saved, str) and saved:
            self.load(Path(saved))

    def ask(self) -> None:
        """A non-modal folder dialog (never exec(): no nested event loop under qasync)."""
        self._show_checks()  # stays as it is until a folder is chosen and loads
        start = str(self.folder.parent) if self.folder else ""
        dialog = QFileDialog(self.parent_widget, "Semantic similarity model folder", start)
        dialog.setObjectName("semanticModelDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda chosen: self.load(Path(chosen)))
        dialog.finished.connect(lambda _=0: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def load(self, folder: Path) -> asyncio.Task[None]:
        self.status.emit(f"Loading the semantic similarity model {folder.name}…")
        return self._slot.bind(self._load(folder))

    async def _load(self, folder: Path) -> None:
        try:
            measure = await asyncio.to_thread(load_embedding_similarity, folder)
        except EmbeddingModelError as exc:
            self.status.emit("")
            show_error(
                TITLE,
                f"The semantic similarity model cannot be used:\n{exc}\n\nThe analysis "
                f"keeps using {self.measure.label if self.measure else 'word similarity'}.",
                parent=self.parent_widget,
            )
            self._show_checks()
            return
        self.measure, self.folder = measure, folder
        self.settings.setValue(SETTING_KEY, str(folder))
        self.settings.sync()
        self._show_checks()
        self.status.emit(f"Similarity: {measure.label}")
        self.changed.emit(measure)

    def use_words(self) -> None:
        self._slot.stop()  # a model still loading is not wanted any more
        had = self.measure is not None
        self.measure, self.folder = None, None
        self.settings.remove(SETTING_KEY)
        self.settings.sync()
        self._show_checks()
        if had:
            self.status.emit("Similarity: words")
            self.changed.emit(None)

    def _show_checks(self) -> None:
        self.words_action.setChecked(self.measure is None)
        self.model_action.setChecked(self.measure is not None)
        self.model_action.setText(
            f"Semantic similarity &model folder… ({self.folder.name})"
            if self.folder
            else "Semantic similarity &model folder…"
        )
