"""Two-pane diff of two responses: the left one with its deleted words struck, the right one
with its inserted words marked. Non-modal; scrolling is linked."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QTextBrowser, QWidget

from workbench.viewmodel.diffing import DiffColors, diff_pair, render_html


class DiffDialog(QDialog):
    def __init__(
        self,
        left_title: str,
        left: str,
        right_title: str,
        right: str,
        colors: DiffColors,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("diffDialog")
        self.setAccessibleName("Two-pane diff")
        diff = diff_pair(left, right)
        self.setWindowTitle(f"{left_title}  ⇆  {right_title}  (similarity {diff.similarity:.2f})")
        self.left = QTextBrowser()
        self.left.setObjectName("diffLeft")
        self.left.setHtml(render_html(left, right, diff, colors, side="a"))
        self.right = QTextBrowser()
        self.right.setObjectName("diffRight")
        self.right.setHtml(render_html(left, right, diff, colors, side="b"))
        layout = QGridLayout(self)
        layout.addWidget(QLabel(f"<b>{left_title}</b> (deleted words struck through)"), 0, 0)
        layout.addWidget(QLabel(f"<b>{right_title}</b> (inserted words highlighted)"), 0, 1)
        layout.addWidget(self.left, 1, 0)
        layout.addWidget(self.right, 1, 1)
        left_bar = self.left.verticalScrollBar()
        right_bar = self.right.verticalScrollBar()
        # Link by proportion: the two texts differ in length.
        left_bar.valueChanged.connect(lambda v: _follow(left_bar.maximum(), v, right_bar))
        right_bar.valueChanged.connect(lambda v: _follow(right_bar.maximum(), v, left_bar))
        self.resize(1000, 640)


def _follow(source_max: int, value: int, target: object) -> None:
    from PySide6.QtWidgets import QScrollBar

    assert isinstance(target, QScrollBar)
    if source_max > 0:
        wanted = round(value / source_max * target.maximum())
        if target.value() != wanted:
            target.blockSignals(True)
            target.setValue(wanted)
            target.blockSignals(False)
