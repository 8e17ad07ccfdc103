"""The bottom bar: progress, done / errors / in flight, ETA, requests per second, and the
status of the local simulated endpoint."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from workbench.core.format import duration_s
from workbench.viewmodel.live import LiveRun


class RunStatusBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runStatusBar")
        self.progress = QProgressBar()
        self.progress.setObjectName("progressBar")
        self.progress.setAccessibleName("Run progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m")
        self.progress.setFixedWidth(220)
        self.counts = QLabel("Ready")
        self.counts.setObjectName("countsLabel")
        self.rate = QLabel()
        self.rate.setObjectName("rateLabel")
        # Temporary messages (QStatusBar.showMessage): the bar's own message area is hidden
        # behind this permanent widget, so they are mirrored here.
        self.note = QLabel()
        self.note.setObjectName("statusNote")
        self.simulator = QLabel()
        self.simulator.setObjectName("simulatorStatus")
        self.simulator.setAccessibleName("Local simulator status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 10, 3)
        layout.setSpacing(14)
        layout.addWidget(self.progress)
        layout.addWidget(self.counts)
        layout.addWidget(self.rate)
        layout.addWidget(self.note, 1)
        layout.addWidget(self.simulator)

    def show_run(self, run: LiveRun) -> None:
        self.progress.setRange(0, max(1, run.planned))
        self.progress.setValue(min(run.done, run.planned))
        state = ""
        if run.finished:
            state = "Cancelled · " if run.cancelled else "Finished · "
        self.counts.setText(
            f"{state}{run.done} done · {run.errors} errors · {run.in_flight} in flight"
            + (f" · {run.retries} retries" if run.retries else "")
        )
        eta = "" if run.finished else f"ETA {duration_s(run.eta_s())} · "
        self.rate.setText(f"{eta}{run.requests_per_s():.1f} req/s")

    def show_message(self, text: str) -> None:
        self.counts.setText(text)

    def show_note(self, text: str) -> None:
        self.note.setText(text)

    def show_simulator(self, status: str) -> None:
        self.simulator.setText(f"Local simulator: {status}")
        self.simulator.setProperty("failed", status.startswith("failed"))
        self.simulator.style().unpolish(self.simulator)
        self.simulator.style().polish(self.simulator)
