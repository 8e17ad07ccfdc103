"""The left panel: endpoint, model, prompts, parameters, load, Run and Cancel."""

from __future__ import annotations

import msgspec
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.endpoints import EndpointProfile, ProfileError, to_endpoint_spec
from workbench.core.plan import (
    Params,
    Plan,
    PlanError,
    RunSettings,
    default_plan,
    parse_concurrency,
    validate,
)
from workbench.ui.common.validation import mark_field
from workbench.ui.params.knee_box import KneeSearchBox
from workbench.ui.params.panel_state import restore_panel, save_panel
from workbench.ui.params.prompt_editor import PromptEdit, VariablesTable
from workbench.ui.params.widgets import buddy, named, section
from workbench.ui.params.workers_combo import WorkersCombo

CONCURRENCY_HINT = "One level (8) or a sweep (1,8,32): requests kept in flight at once"
# The temperature spin box's lowest value, shown as "server default": no temperature is sent.
SERVER_TEMPERATURE = -0.1


class ParamsPanel(QWidget):
    run_requested = Signal()
    cancel_requested = Signal()
    endpoints_requested = Signal()  # the "…" next to the endpoint: the Endpoints dialog

    def __init__(self, profiles: list[EndpointProfile], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramsPanel")
        self._profiles = {p.name: p for p in profiles}
        self._busy = False
        # The plan last shown (a plan file, a session, New plan): its fields the panel has no
        # input for ride along into the plans it builds.
        self._carried: Plan = default_plan()
        self._problems: dict[str, str] = {}

        self.endpoint_combo = named(QComboBox(), "endpointCombo", "Endpoint")
        for profile in profiles:
            self.endpoint_combo.addItem(profile.label, profile.name)
        self.endpoints_button = named(QToolButton(), "endpointsButton", "Edit endpoints")
        self.endpoints_button.setText("…")
        self.endpoints_button.setToolTip("Endpoints and keys (Ctrl+Shift+E)")
        self.model_combo = named(QComboBox(), "modelCombo", "Model")
        self.model_combo.setEditable(True)
        self.system_edit = named(
            PromptEdit("System message (optional)"), "systemEdit", "System prompt"
        )
        self.system_edit.setFixedHeight(64)
        self.prompt_edit = named(
            PromptEdit("User message. {{name}} inserts a variable."), "promptEdit", "User prompt"
        )
        self.prompt_edit.setMinimumHeight(110)
        self.variables = named(VariablesTable(), "variablesTable", "Variable values")
        self.variables.setVisible(False)

        self.temperature_spin = named(QDoubleSpinBox(), "temperatureSpin", "Temperature")
        self.temperature_spin.setRange(SERVER_TEMPERATURE, 2.0)
        self.temperature_spin.setSingleStep(0.1)
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setSpecialValueText("server default")
        self.max_tokens_spin = named(QSpinBox(), "maxTokensSpin", "Max tokens")
        self.max_tokens_spin.setRange(1, 1_000_000)
        self.seed_spin = named(QSpinBox(), "seedSpin", "Seed")
        self.seed_spin.setRange(-1, 2_000_000_000)
        self.seed_spin.setSpecialValueText("none")
        self.stream_check = named(QCheckBox("Stream the response"), "streamCheck", "Streaming")
        self.concurrency_edit = named(QLineEdit(), "concurrencyEdit", "Concurrency")
        self.concurrency_edit.setPlaceholderText("e.g. 8 or 1,8,32")
        self.knee_box = KneeSearchBox(self.concurrency_edit)
        self.repetitions_spin = named(QSpinBox(), "repetitionsSpin", "Repetitions")
        self.repetitions_spin.setRange(1, 1_000_000)
        self.repetitions_spin.setToolTip("Requests per concurrency level")
        self.workers_combo: WorkersCombo = named(WorkersCombo(), "workersCombo", "Workers")
        self.total_label = QLabel()
        self.total_label.setObjectName("hintLabel")

        self.run_button = named(QPushButton("Run"), "runButton", "Run")
        self.run_button.setToolTip("Run the plan (Ctrl+Enter)")
        self.run_button.setDefault(True)
        self.cancel_button = named(QPushButton("Cancel"), "cancelButton", "Cancel")
        self.cancel_button.setToolTip("Cancel the run; finished responses are kept (Esc)")
        self.cancel_button.setEnabled(False)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setWordWrap(True)

        defaults = default_plan()  # the one default, shared with the CLI and File > New plan
        self._show_settings(defaults.params, defaults.run)
        self._layout()
        self.endpoint_combo.currentIndexChanged.connect(self._endpoint_changed)
        for signal in (
            self.model_combo.currentTextChanged,
            self.system_edit.textChanged,
            self.prompt_edit.textChanged,
            self.variables.values_changed,
            self.temperature_spin.valueChanged,
            self.max_tokens_spin.valueChanged,
            self.concurrency_edit.textChanged,
            self.repetitions_spin.valueChanged,
            self.knee_box.changed,
            self.workers_combo.currentIndexChanged,
        ):
            signal.connect(self.revalidate)
        self.system_edit.textChanged.connect(self._templates_changed)
        self.prompt_edit.textChanged.connect(self._templates_changed)
        self.run_button.clicked.connect(self.run_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.endpoints_button.clicked.connect(self.endpoints_requested)
        self._endpoint_changed()

    def _layout(self) -> None:
        form_widget = QWidget()
        column = QVBoxLayout(form_widget)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)

        def form() -> QFormLayout:
            layout = QFormLayout()
            layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            layout.setHorizontalSpacing(10)
            layout.setVerticalSpacing(6)
            return layout

        column.addWidget(section("Endpoint"))
        endpoint = form()
        endpoint_row = QHBoxLayout()
        endpoint_row.setSpacing(4)
        endpoint_row.addWidget(self.endpoint_combo, 1)
        endpoint_row.addWidget(self.endpoints_button)
        endpoint.addRow(buddy("&Endpoint", self.endpoint_combo), endpoint_row)
        endpoint.addRow("&Model", self.model_combo)
        column.addLayout(endpoint)
        column.addWidget(section("Prompt"))
        column.addWidget(buddy("S&ystem", self.system_edit))
        column.addWidget(self.system_edit)
        column.addWidget(buddy("&User", self.prompt_edit))
        column.addWidget(self.prompt_edit, 1)
        column.addWidget(self.variables)
        column.addWidget(section("Parameters"))
        params = form()
        params.addRow("&Temperature", self.temperature_spin)
        params.addRow("Max t&okens", self.max_tokens_spin)
        params.addRow("See&d", self.seed_spin)
        params.addRow("", self.stream_check)
        column.addLayout(params)
        column.addWidget(section("Load"))
        load = form()
        load.addRow("&Concurrency", self.concurrency_edit)
        load.addRow("", self.knee_box)
        load.addRow("&Repetitions", self.repetitions_spin)
        load.addRow("&Workers", self.workers_combo)
        column.addLayout(load)
        column.addWidget(self.total_label)

        scroll = QScrollArea()
        scroll.setWidget(form_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        footer = QVBoxLayout()
        footer.setContentsMargins(12, 6, 12, 12)
        footer.addWidget(self.problem_label)
        footer.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(scroll, 1)
        outer.addLayout(footer)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(300)

    # --- state ----------------------------------------------------------------------------

    def profile(self) -> EndpointProfile:
        return self._profiles[self.endpoint_combo.currentData()]

    def reload_profiles(self, profiles: list[EndpointProfile]) -> None:
        """Refill the endpoint list (the Endpoints dialog saved); keeps the current choice
        unless it was deleted."""
        current = self.endpoint_combo.currentData()
        self._profiles = {p.name: p for p in profiles}
        self.endpoint_combo.blockSignals(True)
        self.endpoint_combo.clear()
        for profile in profiles:
            self.endpoint_combo.addItem(profile.label, profile.name)
        self.endpoint_combo.setCurrentIndex(max(0, self.endpoint_combo.findData(current)))
        self.endpoint_combo.blockSignals(False)
        self._endpoint_changed()

    def _endpoint_changed(self) -> None:
        profile = self.profile()
        current = self.model_combo.currentText()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItems(profile.all_models())
        models = profile.all_models()
        keep = current if current in models else profile.default_model
        self.model_combo.setCurrentText(keep or "")
        self.model_combo.blockSignals(False)
        self.revalidate()

    def _templates_changed(self) -> None:
        self.variables.set_templates(self.system_edit.toPlainText(), self.prompt_edit.toPlainText())

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.cancel_button.setEnabled(busy)
        self._update_run_button()

    def _update_run_button(self) -> None:
        # Run while a run is going restarts it (the controller cancels the current one).
        self.run_button.setEnabled(not self._problems)
        self.run_button.setText("Restart" if self._busy else "Run")

    def workers(self) -> int | None:
        """Engine processes for the run (None: auto)."""
        return self.workers_combo.choice()

    @property
    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    def build_plan(self) -> Plan | None:
        """The plan the fields describe, or None (and the fields marked) when invalid."""
        problems: dict[str, str] = {}
        try:
            levels = parse_concurrency(self.concurrency_edit.text())
        except PlanError as exc:
            if not self.knee_box.is_on():  # a knee search does not use the field
                problems["concurrency"] = str(exc).split(": ", 1)[-1]
            levels = [1]
        model = self.model_combo.currentText().strip()
        plan: Plan | None = None
        try:
            spec = to_endpoint_spec(self.profile(), model or None)
        except ProfileError:
            problems["model"] = "choose or type a model name"
            spec = None
        temperature = self.temperature_spin.value()
        seed = self.seed_spin.value()
        system = self.system_edit.toPlainText()
        if spec is not None:
            plan = Plan(
                name=(self.prompt_edit.toPlainText().strip().splitlines() or ["untitled"])[0][:60],
                endpoint=spec,
                system=system if system.strip() else None,
                user=self.prompt_edit.toPlainText(),
                variables=self.variables.values(),
                params=msgspec.structs.replace(
                    self._carried.params,  # top_p and the like, which have no field here
                    temperature=None if temperature < 0 else round(temperature, 2),
                    max_tokens=self.max_tokens_spin.value(),
                    seed=None if seed < 0 else seed,
                    stream=self.stream_check.isChecked(),
                ),
                run=self._run_settings(levels),
            )
            try:
                validate(plan)
            except PlanError as exc:
                field = {"user": "prompt", "run.concurrency": "concurrency"}.get(
                    exc.where, exc.where
                )
                problems.setdefault(field, str(exc).split(": ", 1)[-1])
        self._show_problems(problems)
        return None if problems else plan

    def _run_settings(self, levels: list[int]) -> RunSettings:
        """The load fields over the plan last shown's run settings: its timeouts, retries,
        arrival, knee thresholds and SLOs have no field here, and are kept."""
        run = msgspec.structs.replace(
            self._carried.run, mode="sweep", concurrency=levels,
            repetitions=self.repetitions_spin.value(),
        )
        return self.knee_box.apply(run)

    def revalidate(self) -> None:
        plan = self.build_plan()
        if plan is not None:
            total = plan.total_requests()
            levels = ", ".join(str(c) for c in plan.run.concurrency)
            summary = (
                self.knee_box.summary(plan)
                if self.knee_box.is_on()
                else f"{total} requests · concurrency {levels}"
            )
            self.total_label.setText(summary + self.workers_combo.note(plan))
        else:
            self.total_label.setText("")

    def _show_problems(self, problems: dict[str, str]) -> None:
        self._problems = problems
        fields = {
            "concurrency": (self.concurrency_edit, CONCURRENCY_HINT),
            "prompt": (self.prompt_edit, ""),
            "model": (self.model_combo, ""),
            "variables": (self.variables, ""),
            "params.temperature": (self.temperature_spin, ""),
            "params.max_tokens": (self.max_tokens_spin, ""),
            "run.repetitions": (self.repetitions_spin, "Requests per concurrency level"),
        }
        for name, (widget, hint) in fields.items():
            mark_field(widget, problems.get(name), hint)
        shown = {
            "concurrency": "Concurrency",
            "prompt": "Prompt",
            "model": "Model",
            "variables": "Variables",
        }
        self.problem_label.setText(
            "\n".join(f"{shown.get(k, k)}: {v}" for k, v in problems.items())
        )
        self.problem_label.setVisible(bool(problems))
        self._update_run_button()

    # --- persistence (never a key): workbench.ui.params.panel_state ------------------------

    def save_state(self, settings: QSettings) -> None:
        save_panel(self, settings)

    def restore_state(self, settings: QSettings) -> None:
        restore_panel(self, settings)
        self._templates_changed()
        self.revalidate()

    # --- a saved plan ----------------------------------------------------------------------

    def _show_settings(self, params: Params, run: RunSettings) -> None:
        """Put a plan's parameters and load settings in the fields."""
        temperature = params.temperature
        self.temperature_spin.setValue(SERVER_TEMPERATURE if temperature is None else temperature)
        self.max_tokens_spin.setValue(params.max_tokens)
        self.seed_spin.setValue(-1 if params.seed is None else params.seed)
        self.stream_check.setChecked(params.stream)
        self.concurrency_edit.setText(",".join(str(c) for c in run.concurrency))
        self.repetitions_spin.setValue(run.repetitions)
        self.knee_box.show_run(run)

    def load_plan(self, plan: Plan) -> list[str]:
        """Fill the fields from `plan` (a reopened session). Returns what the panel cannot
        show (e.g. a profile missing here, named variants), for a status message."""
        notes: list[str] = []
        self._carried = plan
        index = self.endpoint_combo.findData(plan.endpoint.name)
        if index >= 0:
            self.endpoint_combo.setCurrentIndex(index)
        else:
            notes.append(f"endpoint profile {plan.endpoint.name!r} is not set up here")
        self.model_combo.setCurrentText(plan.endpoint.model)
        self.system_edit.setPlainText(plan.system or "")
        values = first_values(plan)
        self.variables.set_all_values(values)
        self.prompt_edit.setPlainText(plan.user)
        self._show_settings(plan.params, plan.run)
        if plan.variants:
            notes.append(f"{len(plan.variants)} prompt variant(s) are kept only by Re-run")
        lists = [name for name, value in plan.variables.items() if isinstance(value, list)]
        if lists:
            notes.append(f"the lists of values of {', '.join(lists)} are kept only by Re-run")
        self._templates_changed()
        self.variables.set_all_values(values)  # rows exist now
        self.revalidate()
        return notes


def first_values(plan: Plan) -> dict[str, str]:
    """The plan's variables as the panel edits them: one value each (a list's first)."""
    return {k: v if isinstance(v, str) else (v[0] if v else "") for k, v in plan.variables.items()}
