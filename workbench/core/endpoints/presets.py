"""Built-in endpoint profiles. Always listed; a user profile with the same name overrides one.

Model lists and prices change often: they are starting points the user can edit (an override
of a preset is saved in the profiles file). Prices are USD per million tokens as the provider
listed them in late 2025 (DeepSeek: cache-miss input); a preset without prices shows no cost.
"""

from __future__ import annotations

from workbench.core.endpoints.profile import EndpointProfile
from workbench.core.plan import LOCAL_SIM

PRESETS: tuple[EndpointProfile, ...] = (
    EndpointProfile(
        name=LOCAL_SIM,
        display_name="Local simulator",
        base_url=None,  # start the built-in simulated endpoint on a free loopback port
        default_model="sim-chat",
        models=["sim-chat", "sim-reasoner", "echo"],
        needs_key=False,  # and no prices: a simulated endpoint costs nothing worth showing
    ),
    EndpointProfile(
        name="deepseek",
        display_name="DeepSeek",
        base_url="https://api.deepseek.com",
        default_model="deepseek-chat",
        models=["deepseek-chat", "deepseek-reasoner"],
        price_in_per_mtok=0.28,
        price_out_per_mtok=0.42,
        key_env="DEEPSEEK_API_KEY",
    ),
    EndpointProfile(
        name="openai",
        display_name="OpenAI",
        base_url="https://api.openai.com/v1",
        default_model="gpt-4o-mini",
        models=["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1"],
        key_env="OPENAI_API_KEY",
    ),
    EndpointProfile(
        name="anthropic",
        display_name="Anthropic",
        api="anthropic",
        base_url="https://api.anthropic.com",
        default_model="claude-sonnet-4-5",
        models=["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"],
        key_env="ANTHROPIC_API_KEY",
    ),
    EndpointProfile(
        name="gemini",
        display_name="Google Gemini",
        base_url="https://generativelanguage.googleapis.com/v1beta/openai",
        default_model="gemini-2.5-flash",
        models=["gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro"],
        key_env="GEMINI_API_KEY",
    ),
    EndpointProfile(
        name="openrouter",
        display_name="OpenRouter",
        base_url="https://openrouter.ai/api/v1",
        default_model="deepseek/deepseek-chat",
        models=["deepseek/deepseek-chat", "openai/gpt-4o-mini", "anthropic/claude-sonnet-4.5"],
        # OpenRouter shows this title in its dashboards; not a secret.
        headers={"X-Title": "Prompt Stress Workbench"},
        key_env="OPENROUTER_API_KEY",
    ),
    EndpointProfile(
        name="groq",
        display_name="Groq",
        base_url="https://api.groq.com/openai/v1",
        default_model="llama-3.3-70b-versatile",
        models=["llama-3.3-70b-versatile", "llama-3.1-8b-instant"],
        key_env="GROQ_API_KEY",
    ),
    EndpointProfile(
        name="together",
        display_name="Together AI",
        base_url="https://api.together.xyz/v1",
        default_model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        models=["meta-llama/Llama-3.3-70B-Instruct-Turbo", "deepseek-ai/DeepSeek-V3"],
        key_env="TOGETHER_API_KEY",
    ),
    EndpointProfile(
        name="mistral",
        display_name="Mistral",
        base_url="https://api.mistral.ai/v1",
        default_model="mistral-small-latest",
        models=["mistral-small-latest", "mistral-medium-latest", "mistral-large-latest"],
        key_env="MISTRAL_API_KEY",
    ),
    # Local servers: the model is whatever the server has loaded, so no default is guessed.
    EndpointProfile(
        name="ollama",
        display_name="Ollama",
        base_url="http://localhost:11434/v1",
        needs_key=False,
    ),
    EndpointProfile(
        name="lmstudio",
        display_name="LM Studio",
        base_url="http://localhost:1234/v1",
        needs_key=False,
    ),
    EndpointProfile(
        name="vllm",
        display_name="vLLM",
        base_url="http://localhost:8000/v1",
        # vLLM checks a key only when started with --api-key.
        key_env="VLLM_API_KEY",
        needs_key=False,
    ),
    EndpointProfile(
        name="llamacpp",
        display_name="llama.cpp server",
        base_url="http://localhost:8080/v1",
        needs_key=False,
    ),
)

PRESET_NAMES = frozenset(p.name for p in PRESETS)


def preset(name: str) -> EndpointProfile | None:
    return next((p for p in PRESETS if p.name == name), None)
