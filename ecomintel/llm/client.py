"""The LLM client protocol every provider implements, the reply it returns, and `make_llm(settings)`.

Why a protocol + registry: planners and the synthesizer only need "give me JSON for this schema" and
"give me text"; which vendor answers is a setting. A new provider is one module and one line in
`PROVIDERS`. With no provider configured, `make_llm` returns None and the offline planner answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ecomintel.config import Settings
from ecomintel.errors import ServiceUnavailable

DEFAULT_MODELS = {"openai": "gpt-4o-mini", "gemini": "gemini-2.0-flash"}


@dataclass(frozen=True)
class LLMReply:
    """What a call returned: the raw text, the parsed JSON object (complete_json only) and token counts."""

    text: str
    data: dict[str, Any] | None
    prompt_tokens: int
    completion_tokens: int
    model: str
    provider: str


class LLMError(ServiceUnavailable):
    """A failed LLM call (timeout, HTTP error, unparseable reply). Carries the tokens the provider reported,
    if any, so failed calls are still costed."""

    def __init__(self, message: str, *, prompt_tokens: int = 0, completion_tokens: int = 0,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.status = status


class LLMClient(Protocol):
    provider: str
    model: str

    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> LLMReply:
        """A JSON object that should follow `schema` (providers use structured output / JSON mode)."""
        ...

    def complete_text(self, system: str, user: str) -> LLMReply: ...


def _openai(settings: Settings) -> LLMClient:
    from ecomintel.llm.openai_provider import OpenAIProvider

    return OpenAIProvider(settings)


def _gemini(settings: Settings) -> LLMClient:
    from ecomintel.llm.gemini_provider import GeminiProvider

    return GeminiProvider(settings)


PROVIDERS: dict[str, Callable[[Settings], LLMClient]] = {"openai": _openai, "gemini": _gemini}


def make_llm(settings: Settings) -> LLMClient | None:
    """The configured provider's client, or None when the provider (ECOMINTEL_LLM_PROVIDER or the tenant's
    choice, see tenant_settings.effective) is `none`.

    A name from ECOMINTEL_LLM_ENDPOINTS is an OpenAI-compatible client on that endpoint's URL with that
    endpoint's own key (or none) — never OPENAI_API_KEY, so no key goes to a server it was not meant for.
    Its replies and usage rows carry the endpoint's name as provider.
    """
    name = (settings.llm_provider or "none").lower()
    if name == "none":
        return None
    if name in settings.llm_endpoints:
        url, key = settings.llm_endpoints[name]
        client = _openai(settings.replace(llm_provider="openai", llm_base_url=url, openai_api_key=key))
        client.provider = name
        return client
    if name not in PROVIDERS:
        choices = ", ".join([*PROVIDERS, *settings.llm_endpoints])
        raise ServiceUnavailable(f"Unknown LLM provider '{name[:40]}'.",
                                 f"Set ECOMINTEL_LLM_PROVIDER to none or one of: {choices}.")
    return PROVIDERS[name](settings)


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a reply (tolerating a ```json fence); LLMError when it is not one."""
    import json

    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`")
        body = body[4:] if body.lower().startswith("json") else body
    try:
        data = json.loads(body)
    except ValueError:
        raise LLMError("The LLM's reply was not valid JSON.") from None
    if not isinstance(data, dict):
        raise LLMError("The LLM's reply was JSON but not an object.")
    return data


def with_json(reply: LLMReply) -> LLMReply:
    """`reply` with `data` parsed from its text; the LLMError keeps the tokens so a bad reply is still billed."""
    try:
        data = parse_json_object(reply.text)
    except LLMError as exc:
        raise LLMError(exc.message, prompt_tokens=reply.prompt_tokens,
                       completion_tokens=reply.completion_tokens) from None
    return LLMReply(reply.text, data, reply.prompt_tokens, reply.completion_tokens, reply.model, reply.provider)
