"""The two API dialects: request parsing, error shapes, non-stream bodies, stream encoders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from workbench.sim.generation import MODELS, ChatRequest, Completion
from workbench.sim.wire import AnthropicStream, OpenAIStream, anthropic_error, openai_error

# Error kinds in each dialect, keyed by HTTP status.
_OPENAI_KINDS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("service_unavailable", "overloaded"),
}
_ANTHROPIC_KINDS = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
}


class BadRequest(ValueError):
    """The request body is unusable; `param` names the offending field."""

    def __init__(self, message: str, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.param = param
        self.status = status


def _text_of(content: Any, where: str) -> str:
    """Message content: a string or a list of text parts/blocks (other parts are ignored)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text", ""), str)
        ]
        return "\n".join(texts)
    raise BadRequest(f"{where} must be a string or a list of content parts", where)


def _number(body: Mapping[str, Any], name: str, default: float | None) -> float | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number", name)
    return float(value)


def _integer(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer", name)
    if name != "seed" and value < 1:
        raise BadRequest(f"{name} must be at least 1", name)
    return value


def _common(body: Any) -> tuple[str, list[Any]]:
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("model is required", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages must be a non-empty list", "messages")
    if model not in MODELS:
        raise BadRequest(
            f"The model `{model}` does not exist; available: {', '.join(MODELS)}",
            "model",
            status=404,
        )
    return model, messages


def _conversation(messages: list[Any], system: str) -> tuple[str, str]:
    texts = [system] if system else []
    last_user = ""
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BadRequest(f"messages[{i}] must be an object", f"messages[{i}]")
        text = _text_of(message.get("content"), f"messages[{i}].content")
        texts.append(text)
        if message.get("role") == "user":
            last_user = text
    return "\n".join(texts), last_user


def parse_openai(body: Any) -> ChatRequest:
    model, messages = _common(body)
    prompt, last_user = _conversation(messages, "")
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
    max_tokens = _integer(body, "max_completion_tokens") or _integer(body, "max_tokens")
    return ChatRequest(
        model=model,
        prompt=prompt,
        last_user=last_user,
        message_count=len(messages),
        stream=bool(body.get("stream")),
        include_usage=include_usage,
        max_tokens=max_tokens,
        temperature=_number(body, "temperature", 1.0) or 0.0,
        seed=_integer(body, "seed"),
    )


def parse_anthropic(body: Any) -> ChatRequest:
    model, messages = _common(body)
    system = _text_of(body.get("system"), "system")
    prompt, last_user = _conversation(messages, system)
    return ChatRequest(
        model=model,
        prompt=prompt,
        last_user=last_user,
        message_count=len(messages) + (1 if system else 0),
        stream=bool(body.get("stream")),
        include_usage=True,
        max_tokens=_integer(body, "max_tokens"),
        temperature=_number(body, "temperature", 1.0) or 0.0,
        # Not an Anthropic parameter; accepted so tests can pin outputs the same way.
        seed=_integer(body, "seed"),
    )


class OpenAIDialect:
    name = "openai"
    id_prefix = "chatcmpl-"

    @staticmethod
    def parse(body: Any) -> ChatRequest:
        return parse_openai(body)

    @staticmethod
    def error(status: int, message: str, param: str | None = None) -> bytes:
        kind, code = _OPENAI_KINDS.get(status, ("api_error", None))
        return openai_error(message, kind, code, param)

    @staticmethod
    def stream(
        request_id: str, created: int, request: ChatRequest, completion: Completion, fp: str
    ) -> OpenAIStream:
        return OpenAIStream(request_id, created, request.model, fp)

    @staticmethod
    def body(
        request_id: str,
        created: int,
        request: ChatRequest,
        completion: Completion,
        fp: str,
        x_sim: dict[str, int],
    ) -> bytes:
        message: dict[str, Any] = {"role": "assistant", "content": completion.content_text}
        if request.model == "sim-reasoner":
            message["reasoning_content"] = completion.reasoning_text
        return msgspec.json.encode(
            {
                "id": request_id,
                "object": "chat.completion",
                "created": created,
                "model": request.model,
                "system_fingerprint": fp,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": completion.finish_reason,
                    }
                ],
                "usage": completion.usage.openai(),
                "x_sim": x_sim,
            }
        )


class AnthropicDialect:
    name = "anthropic"
    id_prefix = "msg_"

    @staticmethod
    def parse(body: Any) -> ChatRequest:
        return parse_anthropic(body)

    @staticmethod
    def error(status: int, message: str, param: str | None = None) -> bytes:
        return anthropic_error(message, _ANTHROPIC_KINDS.get(status, "api_error"))

    @staticmethod
    def stream(
        request_id: str, created: int, request: ChatRequest, completion: Completion, fp: str
    ) -> AnthropicStream:
        thinking = request.model == "sim-reasoner"
        return AnthropicStream(request_id, request.model, completion.usage, thinking)

    @staticmethod
    def body(
        request_id: str,
        created: int,
        request: ChatRequest,
        completion: Completion,
        fp: str,
        x_sim: dict[str, int],
    ) -> bytes:
        content: list[dict[str, Any]] = []
        if request.model == "sim-reasoner":
            content.append(
                {
                    "type": "thinking",
                    "thinking": completion.reasoning_text,
                    "signature": "sim-signature",
                }
            )
        content.append({"type": "text", "text": completion.content_text})
        stop = "max_tokens" if completion.finish_reason == "length" else "end_turn"
        return msgspec.json.encode(
            {
                "id": request_id,
                "type": "message",
                "role": "assistant",
                "model": request.model,
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": completion.usage.anthropic(),
                "x_sim": x_sim,
            }
        )


Dialect = type[OpenAIDialect] | type[AnthropicDialect]
