"""The parameters panel's fields kept in QSettings between starts (never a key)."""

from __future__ import annotations

import json
from typing import Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from workbench.ui.params.knee_box import KneeSearchBox
from workbench.ui.params.prompt_editor import PromptEdit, VariablesTable
from workbench.ui.params.workers_combo import WorkersCombo


class PanelFields(Protocol):
    """The fields of the parameters panel that persist (ParamsPanel has them; a protocol
    so that this module need not import the panel that imports it)."""

    endpoint_combo: QComboBox
    model_combo: QComboBox
    system_edit: PromptEdit
    prompt_edit: PromptEdit
    variables: VariablesTable
    temperature_spin: QDoubleSpinBox
    max_tokens_spin: QSpinBox
    seed_spin: QSpinBox
    stream_check: QCheckBox
    concurrency_edit: QLineEdit
    repetitions_spin: QSpinBox
    knee_box: KneeSearchBox
    workers_combo: WorkersCombo


def save_panel(panel: PanelFields, settings: QSettings) -> None:
    settings.beginGroup("plan")
    settings.setValue("endpoint", panel.endpoint_combo.currentData())
    settings.setValue("model", panel.model_combo.currentText())
    settings.setValue("system", panel.system_edit.toPlainText())
    settings.setValue("prompt", panel.prompt_edit.toPlainText())
    settings.setValue("variables", json.dumps(panel.variables.all_values()))
    settings.setValue("temperature", panel.temperature_spin.value())
    settings.setValue("max_tokens", panel.max_tokens_spin.value())
    settings.setValue("seed", panel.seed_spin.value())
    settings.setValue("stream", panel.stream_check.isChecked())
    settings.setValue("concurrency", panel.concurrency_edit.text())
    settings.setValue("repetitions", panel.repetitions_spin.value())
    settings.setValue("knee_search", panel.knee_box.is_on())
    settings.setValue("knee_max", panel.knee_box.max_spin.value())
    settings.setValue("workers", panel.workers_combo.saved())
    settings.endGroup()


def restore_panel(panel: PanelFields, settings: QSettings) -> None:
    """Fill the fields from `settings`. A value never saved (or unreadable) stays as the
    field shows it: core's default plan, which the panel shows from its creation."""

    def saved(key: str, shown: object) -> str:
        return str(settings.value(key, shown))

    settings.beginGroup("plan")
    try:
        index = panel.endpoint_combo.findData(settings.value("endpoint", "local-sim"))
        if index >= 0:
            panel.endpoint_combo.setCurrentIndex(index)
        model = settings.value("model")
        if model:
            panel.model_combo.setCurrentText(str(model))
        panel.system_edit.setPlainText(saved("system", ""))
        try:
            values = json.loads(saved("variables", "{}"))
        except json.JSONDecodeError:
            values = {}
        if isinstance(values, dict):
            panel.variables.set_all_values({str(k): str(v) for k, v in values.items()})
        panel.prompt_edit.setPlainText(saved("prompt", ""))
        panel.temperature_spin.setValue(float(saved("temperature", panel.temperature_spin.value())))
        panel.max_tokens_spin.setValue(int(saved("max_tokens", panel.max_tokens_spin.value())))
        panel.seed_spin.setValue(int(saved("seed", panel.seed_spin.value())))
        stream = saved("stream", str(panel.stream_check.isChecked()))
        panel.stream_check.setChecked(stream.lower() == "true")
        panel.concurrency_edit.setText(saved("concurrency", panel.concurrency_edit.text()))
        panel.repetitions_spin.setValue(int(saved("repetitions", panel.repetitions_spin.value())))
        panel.knee_box.max_spin.setValue(int(saved("knee_max", panel.knee_box.max_spin.value())))
        panel.knee_box.check.setChecked(saved("knee_search", "false").lower() == "true")
        panel.workers_combo.set_choice(saved("workers", "auto"))
    except (TypeError, ValueError):
        pass  # a hand-edited settings file: what is unreadable keeps the default
    finally:
        settings.endGroup()
