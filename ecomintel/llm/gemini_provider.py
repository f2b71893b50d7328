"""Google Gemini via `google-genai`, with JSON output constrained by a response schema.

Why `response_mime_type="application/json"` + `response_json_schema`: Gemini then emits only JSON of our
Plan-draft shape (structured output); we still validate it ourselves. Calls are retried on 429/5xx like
the OpenAI provider. `base_url` exists so tests can point the real client at a local HTTP server that
speaks the generateContent wire format (nothing here can reach Google).
"""

from __future__ import annotations

from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ecomintel.config import Settings
from ecomintel.llm.client import DEFAULT_MODELS, LLMError, LLMReply, with_json

RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, genai_errors.APIError) and getattr(exc, "code", None) in RETRY_STATUSES


def json_config(system: str, schema: dict[str, Any]) -> types.GenerateContentConfig:
    """The request configuration for a JSON answer that follows `schema`."""
    return types.GenerateContentConfig(system_instruction=system, response_mime_type="application/json",
                                       response_json_schema=schema, temperature=0)


def text_config(system: str) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(system_instruction=system, temperature=0.2)


class GeminiProvider:
    """`LLMClient` over Gemini's generateContent."""

    provider = "gemini"

    def __init__(self, settings: Settings, *, base_url: str | None = None, attempts: int = 3,
                 backoff_s: float = 0.25) -> None:
        self.model = settings.llm_model or DEFAULT_MODELS["gemini"]
        self.timeout_s = settings.llm_timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        options = types.HttpOptions(timeout=int(settings.llm_timeout_s * 1000), base_url=base_url)
        self._client = genai.Client(api_key=settings.gemini_api_key or "missing-key", http_options=options)

    def _generate(self, user: str, config: types.GenerateContentConfig) -> LLMReply:
        retrying = Retrying(retry=retry_if_exception(_retryable), stop=stop_after_attempt(self.attempts),
                            wait=wait_exponential(multiplier=self.backoff_s, max=4), reraise=True)
        try:
            response = retrying(self._client.models.generate_content, model=self.model, contents=user,
                                config=config)
        except genai_errors.APIError as exc:
            raise LLMError(f"The Gemini API answered HTTP {exc.code}.", status=exc.code) from None
        except Exception as exc:  # httpx timeouts / connection errors surface as various types
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                raise LLMError(f"Gemini did not answer within {self.timeout_s:g} s.") from None
            raise LLMError(f"Gemini could not be reached ({type(exc).__name__}).") from None
        usage = response.usage_metadata
        return LLMReply(text=response.text or "", data=None,
                        prompt_tokens=int(getattr(usage, "prompt_token_count", 0) or 0),
                        completion_tokens=int(getattr(usage, "candidates_token_count", 0) or 0),
                        model=self.model, provider=self.provider)

    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> LLMReply:
        reply = self._generate(user, json_config(system, schema))
        return with_json(reply)

    def complete_text(self, system: str, user: str) -> LLMReply:
        return self._generate(user, text_config(system))
