"""OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio, a local stub) via the `openai` package.

Why our own retry loop: 429 and 5xx are retried a bounded number of times with exponential backoff
(tenacity), timeouts are not (a slow server stays slow; the offline planner answers instead). The SDK's
own retries are switched off so the total wait stays predictable: at most `attempts` calls, each limited
by ECOMINTEL_LLM_TIMEOUT_S.
"""

from __future__ import annotations

from typing import Any

import openai
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ecomintel.config import Settings
from ecomintel.llm.client import DEFAULT_MODELS, LLMError, LLMReply, with_json

RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504}


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, openai.APIStatusError) and exc.status_code in RETRY_STATUSES


class OpenAIProvider:
    """`LLMClient` over the chat completions API."""

    provider = "openai"

    def __init__(self, settings: Settings, *, attempts: int = 3, backoff_s: float = 0.25) -> None:
        self.model = settings.llm_model or DEFAULT_MODELS["openai"]
        self.timeout_s = settings.llm_timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self._client = openai.OpenAI(api_key=settings.openai_api_key or "not-needed",
                                     base_url=settings.llm_base_url or None,
                                     timeout=settings.llm_timeout_s, max_retries=0)

    def _create(self, **kwargs: Any) -> Any:
        retrying = Retrying(retry=retry_if_exception(_retryable), stop=stop_after_attempt(self.attempts),
                            wait=wait_exponential(multiplier=self.backoff_s, max=4), reraise=True)
        try:
            return retrying(self._client.chat.completions.create, model=self.model, **kwargs)
        except openai.APITimeoutError:
            raise LLMError(f"The LLM did not answer within {self.timeout_s:g} s.") from None
        except openai.APIStatusError as exc:
            raise LLMError(f"The LLM server answered HTTP {exc.status_code}.", status=exc.status_code) from None
        except openai.APIConnectionError:
            raise LLMError("The LLM server could not be reached.") from None

    def _reply(self, response: Any, data: dict[str, Any] | None = None) -> LLMReply:
        text = (response.choices[0].message.content or "") if response.choices else ""
        usage = response.usage
        return LLMReply(text=text, data=data, prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                        model=str(getattr(response, "model", "") or self.model), provider=self.provider)

    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> LLMReply:
        response = self._create(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "plan", "schema": schema, "strict": False}},
            temperature=0)
        reply = self._reply(response)
        return with_json(reply)

    def complete_text(self, system: str, user: str) -> LLMReply:
        response = self._create(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}], temperature=0.2)
        return self._reply(response)
