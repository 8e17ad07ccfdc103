"""Endpoint profiles: presets, the profiles file, validation, EndpointSpec and cost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec
import pytest

from workbench.core.endpoints import (
    PRESETS,
    EndpointProfile,
    EndpointsFileError,
    ModelPrice,
    ProfileError,
    ProfileStore,
    UnknownProfile,
    cost_usd,
    profiles_path,
    to_endpoint_spec,
    validate_profile,
)
from workbench.core.plan import LOCAL_SIM, EndpointSpec

MY_VLLM = EndpointProfile(
    name="gpu-box",
    display_name="vLLM on the GPU box",
    base_url="http://gpu-box.lan:8000/v1",
    default_model="qwen2.5-7b",
    models=["qwen2.5-7b", "llama-3.1-8b"],
    headers={"X-Route": "blue"},
    price_in_per_mtok=0.1,
    price_out_per_mtok=0.3,
    key_env="GPU_BOX_KEY",
)


def test_presets_are_valid_and_cover_the_documented_providers() -> None:
    by_name = {p.name: p for p in PRESETS}
    for profile in PRESETS:
        validate_profile(profile)

    assert {
        LOCAL_SIM,
        "deepseek",
        "openai",
        "anthropic",
        "gemini",
        "openrouter",
        "groq",
        "together",
        "mistral",
        "ollama",
        "lmstudio",
        "vllm",
        "llamacpp",
    } <= set(by_name)
    sim = by_name[LOCAL_SIM]
    assert sim.base_url is None and sim.display_name == "Local simulator"
    assert sim.all_models() == ["sim-chat", "sim-reasoner", "echo"]
    assert cost_usd(1000, 1000, sim) is None  # no prices: no cost shown, not "$0.0000"
    deepseek = by_name["deepseek"]
    assert deepseek.base_url == "https://api.deepseek.com"
    assert deepseek.models == ["deepseek-chat", "deepseek-reasoner"]
    assert deepseek.key_env == "DEEPSEEK_API_KEY"
    assert cost_usd(1000, 1000, deepseek) is not None
    assert by_name["anthropic"].api == "anthropic"
    assert by_name["gemini"].base_url == ("https://generativelanguage.googleapis.com/v1beta/openai")
    assert by_name["ollama"].base_url == "http://localhost:11434/v1"
    assert not by_name["ollama"].needs_key


def test_fresh_store_lists_presets_and_writes_nothing(isolated_user_dirs: Path) -> None:
    store = ProfileStore()

    assert store.names()[: len(PRESETS)] == [p.name for p in PRESETS]
    assert {e.origin for e in store.entries()} == {"preset"}
    assert not store.path.exists()


def test_profiles_file_lives_in_the_xdg_config_folder(isolated_user_dirs: Path) -> None:
    assert profiles_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "workbench" / "endpoints.json"


def test_add_saves_a_readable_json_file_that_round_trips() -> None:
    store = ProfileStore()
    store.add(MY_VLLM)

    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["format"] == "workbench-endpoints" and data["version"] == 1
    assert data["profiles"][0]["base_url"] == "http://gpu-box.lan:8000/v1"
    # A new store (a new process) reads the same profile back.
    assert ProfileStore().get("gpu-box") == MY_VLLM
    assert ProfileStore().origin("gpu-box") == "user"
    assert ProfileStore().names()[-1] == "gpu-box"


def test_write_is_atomic_and_leaves_no_temp_files() -> None:
    store = ProfileStore()
    store.add(MY_VLLM)
    store.add(msgspec.structs.replace(MY_VLLM, name="second"))

    assert sorted(p.name for p in store.path.parent.iterdir()) == ["endpoints.json"]


def test_duplicate_names_are_refused_unless_replacing() -> None:
    store = ProfileStore()
    store.add(MY_VLLM)

    with pytest.raises(ProfileError) as saved_dup:
        store.add(MY_VLLM)
    with pytest.raises(ProfileError) as preset_dup:
        store.add(msgspec.structs.replace(MY_VLLM, name="deepseek"))

    assert saved_dup.value.field == "name" and "already used" in str(saved_dup.value)
    assert "built-in preset" in str(preset_dup.value)
    changed = msgspec.structs.replace(MY_VLLM, default_model="llama-3.1-8b")
    store.add(changed, replace=True)
    assert store.get("gpu-box").default_model == "llama-3.1-8b"
    assert store.names().count("gpu-box") == 1


def test_override_a_preset_then_remove_restores_it() -> None:
    store = ProfileStore()
    original = store.get("deepseek")
    edited = msgspec.structs.replace(original, models=[*original.models, "deepseek-v4"])

    store.update(edited)
    assert store.get("deepseek").models[-1] == "deepseek-v4"
    assert store.origin("deepseek") == "override"
    assert store.names().count("deepseek") == 1

    assert store.remove("deepseek") == "restored"
    assert store.get("deepseek") == original
    assert store.origin("deepseek") == "preset"


def test_presets_cannot_be_removed_and_unknown_names_are_listed() -> None:
    store = ProfileStore()

    with pytest.raises(ProfileError, match="built-in preset and cannot be removed"):
        store.remove("openai")
    with pytest.raises(UnknownProfile) as unknown:
        store.remove("nope")

    assert "deepseek" in str(unknown.value) and "local-sim" in str(unknown.value)


def test_duplicate_copies_a_preset_under_a_new_name() -> None:
    store = ProfileStore()

    copy = store.duplicate("deepseek", "deepseek-beta")

    assert copy.base_url == store.get("deepseek").base_url
    assert copy.display_name == "DeepSeek (copy)"
    assert store.origin("deepseek-beta") == "user"
    assert store.origin("deepseek") == "preset"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"name": ""}, "name", "empty"),
        ({"name": "My Endpoint"}, "name", "not a short name"),
        ({"base_url": "ftp://host/v1"}, "base_url", "not an http(s) URL"),
        ({"base_url": "localhost:8000"}, "base_url", "not an http(s) URL"),
        ({"base_url": "https://host/v1?key=abc"}, "base_url", "query"),
        ({"base_url": "https://user:pw@host/v1"}, "base_url", "credentials"),
        ({"price_in_per_mtok": -1.0}, "price_in_per_mtok", "negative"),
        ({"price_out_per_mtok": float("nan")}, "price_out_per_mtok", "not a number"),
        ({"price_out_per_mtok": None}, "price_out_per_mtok", "both"),
        ({"headers": {"Authorization": "Bearer x"}}, "headers", "keyring"),
        ({"headers": {"X-Api-Key": "x"}}, "headers", "credential"),
        ({"headers": {"bad header": "x"}}, "headers", "not a valid header name"),
        ({"key_env": "MY-KEY"}, "key_env", "environment variable"),
        ({"models": ["ok", " "]}, "models", "empty"),
    ],
)
def test_validation_names_the_field(change: dict[str, object], field: str, words: str) -> None:
    bad = msgspec.structs.replace(MY_VLLM, **change)

    with pytest.raises(ProfileError) as caught:
        validate_profile(bad)

    assert caught.value.field == field
    assert words in str(caught.value)
    assert field in str(caught.value)


def test_invalid_profile_is_not_saved() -> None:
    store = ProfileStore()

    with pytest.raises(ProfileError):
        store.add(msgspec.structs.replace(MY_VLLM, price_in_per_mtok=-0.5))

    assert not store.path.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"profiles": [', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "JSON object"),
        (b'{"version": 99, "profiles": []}', "newer version"),
        (b'{"profiles": [{"name": "x", "base_url": 5}]}', "$.profiles[0].base_url"),
        (
            b'{"profiles": [{"name": "x", "price_in_per_mtok": -2, "price_out_per_mtok": 1}]}',
            "profiles[0]",
        ),
        (b'{"profiles": [{"name": "x"}, {"name": "x"}]}', "appears twice"),
    ],
)
def test_malformed_file_is_reported_by_name_and_never_overwritten(
    content: bytes, words: str
) -> None:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)

    with pytest.raises(EndpointsFileError) as listing:
        store.names()
    with pytest.raises(EndpointsFileError):
        store.add(MY_VLLM)

    assert str(store.path) in str(listing.value)
    assert words in str(listing.value)
    assert "left unchanged" in str(listing.value)
    assert store.path.read_bytes() == content


@pytest.mark.parametrize(
    ("document", "field", "nearest"),
    [
        ({"profiles": [], "versoin": 1}, "versoin", "version"),
        ({"profiles": [{"name": "x", "bse_url": "http://a"}]}, "profiles[0].bse_url", "base_url"),
        (
            {"profiles": [{"name": "x"}, {"name": "y", "key_evn": "Y_KEY"}]},
            "profiles[1].key_evn",
            "key_env",
        ),
        (
            {"profiles": [{"name": "x", "model_prices": {
                "m1": {"input": 1, "output": 2}, "m2": {"inptu": 1, "output": 2},
            }}]},
            "profiles[0].model_prices.m2.inptu",
            "input",
        ),
    ],
    ids=["file", "profile", "second profile", "model price"],
)
def test_an_unknown_key_names_the_field_and_the_nearest_valid_one(
    document: dict[str, object], field: str, nearest: str
) -> None:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True)
    content = json.dumps(document).encode()
    store.path.write_bytes(content)

    with pytest.raises(EndpointsFileError) as listing:
        store.names()

    assert str(listing.value).startswith(
        f"{store.path}: {field}: unknown field; did you mean {nearest}? The file was left"
    )
    assert store.path.read_bytes() == content


def test_move_aside_keeps_the_bad_file_as_bak_and_starts_over() -> None:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"{broken")

    backup = store.move_aside()
    store.add(MY_VLLM)

    assert backup is not None and backup.name == "endpoints.json.bak"
    assert backup.read_bytes() == b"{broken"
    assert store.get("gpu-box") == MY_VLLM
    second = store.move_aside()
    assert second is not None and second != backup and backup.exists()


def test_a_change_made_by_another_process_meanwhile_is_kept() -> None:
    window = ProfileStore()
    command_line = ProfileStore()

    window.add(MY_VLLM)
    command_line.add(msgspec.structs.replace(MY_VLLM, name="other"))

    assert {"gpu-box", "other"} <= set(window.names())


def test_to_endpoint_spec_carries_what_a_plan_needs_and_no_key() -> None:
    spec = to_endpoint_spec(MY_VLLM)
    other = to_endpoint_spec(MY_VLLM, model="llama-3.1-8b")
    sim = to_endpoint_spec(ProfileStore().get(LOCAL_SIM))

    assert spec == EndpointSpec(
        name="gpu-box",
        api="openai",
        base_url="http://gpu-box.lan:8000/v1",
        model="qwen2.5-7b",
        headers={"X-Route": "blue"},
    )
    assert other.model == "llama-3.1-8b"
    assert sim == EndpointSpec()  # the plan's default: the local simulator, sim-chat


def test_to_endpoint_spec_without_any_model_says_so() -> None:
    with pytest.raises(ProfileError, match="no default model"):
        to_endpoint_spec(ProfileStore().get("ollama"))


def test_cost_usd() -> None:
    priced = msgspec.structs.replace(
        MY_VLLM, model_prices={"llama-3.1-8b": ModelPrice(input=1.0, output=2.0)}
    )
    unpriced = msgspec.structs.replace(MY_VLLM, price_in_per_mtok=None, price_out_per_mtok=None)

    assert cost_usd(1_000_000, 2_000_000, MY_VLLM) == pytest.approx(0.1 + 0.6)
    assert cost_usd(500, 250, priced, model="llama-3.1-8b") == pytest.approx(0.001)
    assert cost_usd(500, 250, priced, model="unlisted") == pytest.approx(0.000125)
    assert cost_usd(500, 250, unpriced) is None
    assert cost_usd(None, 250, MY_VLLM) is None
