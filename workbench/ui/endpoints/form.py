"""The Endpoints dialog's form: one profile's fields, read back into an EndpointProfile.

Problems are shown at the field they concern: a red border and, under the field, the reason
(from core's validate_profile, whose ProfileError names the field, or from parsing a price
or a header line here). The form never sees the API key: that field belongs to the dialog.
"""

from __future__ import annotations

import math
from typing import TypeVar

import msgspec
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.core.endpoints import API_STYLES, EndpointProfile, ProfileError, validate_profile
from workbench.ui.common.validation import mark_field

SIMULATOR_PLACEHOLDER = "The built-in simulated endpoint, started when needed"
URL_HINT = "e.g. https://api.example.com/v1 (OpenAI style usually ends in /v1)"


_W = TypeVar("_W", bound=QWidget)


def _named(widget: _W, name: str, accessible: str) -> _W:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def parse_headers(text: str) -> dict[str, str]:
    """'Name: value' lines (blank lines skipped). Raises ValueError naming the bad line."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"line {number}: write each header as Name: value")
        headers[name.strip()] = value.strip()
    return headers


def parse_price(text: str) -> float | None:
    """Empty means no price. Raises ValueError for anything that is not a number."""
    cleaned = text.strip().removeprefix("$").strip()
    if not cleaned:
        return None
    try:
        value = float(cleaned.replace(",", "."))
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number (USD per million tokens)") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a number (USD per million tokens)")
    return value


def _lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class ProfileForm(QWidget):
    """Fields of one profile. `changed` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = EndpointProfile(name="new")
        self._simulator = False
        self._taken: set[str] = set()
        self._is_new = False
        self.name_edit = _named(QLineEdit(), "nameEdit", "Profile name")
        self.name_edit.setPlaceholderText("short-name, e.g. my-vllm")
        self.display_edit = _named(QLineEdit(), "displayNameEdit", "Display name")
        self.display_edit.setPlaceholderText("shown in the endpoint list (optional)")
        self.api_combo = _named(QComboBox(), "apiCombo", "API style")
        for style in API_STYLES:
            self.api_combo.addItem({"openai": "OpenAI-compatible (chat completions)",
                                    "anthropic": "Anthropic (messages)"}[style], style)  # fmt: skip
        self.base_url_edit = _named(QLineEdit(), "baseUrlEdit", "Base URL")
        self.base_url_edit.setPlaceholderText(URL_HINT)
        self.default_model_combo = _named(QComboBox(), "defaultModelCombo", "Default model")
        self.default_model_combo.setEditable(True)
        self.default_model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.models_edit = _named(QPlainTextEdit(), "modelsEdit", "Known models")
        self.models_edit.setPlaceholderText("One model name per line, or use Fetch models")
        self.models_edit.setTabChangesFocus(True)
        self.models_edit.setFixedHeight(64)
        self.headers_edit = _named(QPlainTextEdit(), "headersEdit", "Extra headers")
        self.headers_edit.setPlaceholderText("Name: value, one per line (never a key)")
        self.headers_edit.setTabChangesFocus(True)
        self.headers_edit.setFixedHeight(48)
        self.price_in_edit = _named(QLineEdit(), "priceInEdit", "Input price per million tokens")
        self.price_out_edit = _named(QLineEdit(), "priceOutEdit",
                                     "Output price per million tokens")  # fmt: skip
        for edit in (self.price_in_edit, self.price_out_edit):
            edit.setPlaceholderText("none")
            edit.setMaximumWidth(110)
        self.key_env_edit = _named(QLineEdit(), "keyEnvEdit", "Key environment variable")
        self.key_env_edit.setPlaceholderText("e.g. MY_API_KEY (read by the command line)")
        self.needs_key_check = _named(QCheckBox("Requests need an API key"), "needsKeyCheck",
                                      "Needs a key")  # fmt: skip

        self.grid: QFormLayout
        self._errors: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {
            "name": self.name_edit, "display_name": self.display_edit, "api": self.api_combo,
            "base_url": self.base_url_edit, "default_model": self.default_model_combo,
            "models": self.models_edit, "headers": self.headers_edit,
            "price_in_per_mtok": self.price_in_edit, "price_out_per_mtok": self.price_out_edit,
            "key_env": self.key_env_edit,
        }  # fmt: skip
        self._layout()
        for signal in (
            self.name_edit.textEdited, self.display_edit.textEdited,
            self.api_combo.currentIndexChanged, self.base_url_edit.textEdited,
            self.default_model_combo.currentTextChanged, self.models_edit.textChanged,
            self.headers_edit.textChanged, self.price_in_edit.textEdited,
            self.price_out_edit.textEdited, self.key_env_edit.textEdited,
            self.needs_key_check.toggled,
        ):  # fmt: skip
            signal.connect(self.changed)
        self.models_edit.textChanged.connect(self._refill_default_choices)

    def _with_error(self, field: str, *widgets: QWidget) -> QWidget:
        """The field's widgets on a row, with its (hidden) reason line underneath."""
        box = QWidget()
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            row.addWidget(widget)
        if len(widgets) > 1:
            row.addStretch(1)
        column.addLayout(row)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.setVisible(False)
        column.addWidget(error)
        self._errors[field] = error
        return box

    def _layout(self) -> None:
        form = self.grid = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(7)

        def row(text: str, field: str, *widgets: QWidget) -> None:
            label = QLabel(text)
            label.setBuddy(widgets[0])
            form.addRow(label, self._with_error(field, *widgets))

        row("&Name", "name", self.name_edit)
        row("&Display name", "display_name", self.display_edit)
        row("API st&yle", "api", self.api_combo)
        row("&Base URL", "base_url", self.base_url_edit)
        row("Default &model", "default_model", self.default_model_combo)
        row("&Known models", "models", self.models_edit)
        row("Extra &headers", "headers", self.headers_edit)
        per = QLabel("USD per million tokens")
        per.setObjectName("hintLabel")
        row("&Price in / out", "price_in_per_mtok", self.price_in_edit, QLabel("/"),
            self.price_out_edit, per)  # fmt: skip
        # Output-price problems are shown on the same row as the input price.
        self._errors["price_out_per_mtok"] = self._errors["price_in_per_mtok"]
        row("Key &variable", "key_env", self.key_env_edit)
        form.addRow("", self.needs_key_check)

    # --- loading ---------------------------------------------------------------------------

    def load(self, profile: EndpointProfile, *, is_new: bool, taken: set[str]) -> None:
        """Show `profile`. `taken`: names a new profile cannot use."""
        self._base = profile
        self._is_new = is_new
        self._taken = taken
        self._simulator = profile.base_url is None and not is_new
        self.blockSignals(True)
        try:
            self.name_edit.setText(profile.name if not is_new else "")
            self.name_edit.setReadOnly(not is_new)
            self.name_edit.setToolTip(
                "" if is_new else "The name cannot change: duplicate the profile to copy it "
                "under a new name"
            )
            self.display_edit.setText(profile.display_name)
            self.api_combo.setCurrentIndex(max(0, self.api_combo.findData(profile.api)))
            self.base_url_edit.setText(profile.base_url or "")
            self.base_url_edit.setEnabled(not self._simulator)
            self.base_url_edit.setPlaceholderText(
                SIMULATOR_PLACEHOLDER if self._simulator else URL_HINT
            )
            self.models_edit.setPlainText("\n".join(profile.models))
            self._refill_default_choices()
            self.default_model_combo.setCurrentText(profile.default_model)
            self.headers_edit.setPlainText(
                "\n".join(f"{k}: {v}" for k, v in profile.headers.items())
            )
            self.price_in_edit.setText(_price_text(profile.price_in_per_mtok))
            self.price_out_edit.setText(_price_text(profile.price_out_per_mtok))
            self.key_env_edit.setText(profile.key_env or "")
            self.needs_key_check.setChecked(profile.needs_key)
        finally:
            self.blockSignals(False)
        self.show_errors({})

    @property
    def is_simulator(self) -> bool:
        return self._simulator

    def snapshot(self) -> tuple[object, ...]:
        """Everything the user can edit, to tell whether anything changed."""
        return (
            self.name_edit.text(), self.display_edit.text(), self.api_combo.currentData(),
            self.base_url_edit.text(), self.default_model_combo.currentText(),
            self.models_edit.toPlainText(), self.headers_edit.toPlainText(),
            self.price_in_edit.text(), self.price_out_edit.text(), self.key_env_edit.text(),
            self.needs_key_check.isChecked(),
        )  # fmt: skip

    def set_models(self, models: list[str]) -> None:
        """Fill the known models (from Fetch models); keeps the default model typed."""
        current = self.default_model_combo.currentText()
        self.models_edit.setPlainText("\n".join(models))
        if not current and models:
            current = models[0]
        self.default_model_combo.setCurrentText(current)

    def _refill_default_choices(self) -> None:
        combo = self.default_model_combo
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(_lines(self.models_edit.toPlainText()))
        combo.setCurrentText(current)
        combo.blockSignals(False)

    # --- reading back ----------------------------------------------------------------------

    def read(self) -> tuple[EndpointProfile | None, dict[str, str]]:
        """The profile the fields describe, or None and the problems by field name."""
        problems: dict[str, str] = {}
        prices: dict[str, float | None] = {}
        for field, edit in (("price_in_per_mtok", self.price_in_edit),
                            ("price_out_per_mtok", self.price_out_edit)):  # fmt: skip
            try:
                prices[field] = parse_price(edit.text())
            except ValueError as exc:
                problems[field] = str(exc)
                prices[field] = None
        try:
            headers = parse_headers(self.headers_edit.toPlainText())
        except ValueError as exc:
            problems["headers"] = str(exc)
            headers = {}
        name = self.name_edit.text().strip() if self._is_new else self._base.name
        url = self.base_url_edit.text().strip()
        if not self._simulator and not url:
            problems["base_url"] = f"the base URL is empty: {URL_HINT}"
        if self._is_new and name in self._taken:
            problems["name"] = f"{name!r} is already used by another profile; choose another name"
        key_env = self.key_env_edit.text().strip()
        profile = msgspec.structs.replace(
            self._base,
            name=name,
            display_name=self.display_edit.text().strip(),
            api=self.api_combo.currentData(),
            base_url=None if self._simulator else (url or None),
            default_model=self.default_model_combo.currentText().strip(),
            models=_lines(self.models_edit.toPlainText()),
            headers=headers,
            price_in_per_mtok=prices["price_in_per_mtok"],
            price_out_per_mtok=prices["price_out_per_mtok"],
            key_env=key_env or None,
            needs_key=self.needs_key_check.isChecked(),
        )
        try:
            validate_profile(profile)
        except ProfileError as exc:
            if exc.field.startswith("model_prices"):  # per-model prices: kept, not edited here
                field = "price_in_per_mtok"
            else:
                field = exc.field if exc.field in self._field_widgets else "name"
            problems.setdefault(field, error_reason(exc))
        return (None if problems else profile), problems

    def show_errors(self, problems: dict[str, str]) -> None:
        """Mark each field with a problem and show the reason under it; clear the others."""
        for field, widget in self._field_widgets.items():
            mark_field(widget, problems.get(field))
        shown: dict[int, list[str]] = {}
        for field, label in self._errors.items():
            if field in problems:
                shown.setdefault(id(label), []).append(problems[field])
        for label in set(self._errors.values()):
            reasons = shown.get(id(label), [])
            label.setText("\n".join(dict.fromkeys(reasons)))
            label.setVisible(bool(reasons))

    def mark(self, field: str, reason: str) -> None:
        """Show one problem found outside the form (e.g. the store refused the name)."""
        _, problems = self.read()
        problems[field if field in self._field_widgets else "name"] = reason
        self.show_errors(problems)


def _price_text(price: float | None) -> str:
    return "" if price is None else f"{price:g}"


def error_reason(exc: ProfileError) -> str:
    """The message without core's "profile 'x': field: " prefix (the field is marked)."""
    text = str(exc)
    for prefix in (f"profile {exc.profile!r}: ", f"{exc.field}: "):
        text = text.removeprefix(prefix)
    return text
