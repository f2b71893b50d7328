"""The LLM providers against a real local HTTP server (tests/llm_stub.py): JSON replies, invalid JSON,
HTTP errors with bounded retries, timeouts; Gemini's request building and wire format; make_llm."""

from __future__ import annotations

import pytest

from ecomintel.config import load_settings
from ecomintel.errors import ServiceUnavailable
from ecomintel.llm.client import LLMError, make_llm, parse_json_object
from ecomintel.llm.gemini_provider import GeminiProvider, json_config
from ecomintel.llm.openai_provider import OpenAIProvider
from tests.llm_stub import LLMStub, Reply, llm_stub_fixture  # noqa: F401  (fixture "llm_stub")

SCHEMA = {"type": "object", "properties": {"intent": {"type": "string"}}, "required": ["intent"]}


def openai_client(stub: LLMStub, timeout: str = "5") -> OpenAIProvider:
    settings = load_settings({"ECOMINTEL_LLM_BASE_URL": stub.url, "ECOMINTEL_LLM_TIMEOUT_S": timeout})
    client = make_llm(settings)
    assert isinstance(client, OpenAIProvider)
    client.backoff_s = 0.05
    return client


def test_make_llm_follows_the_settings(llm_stub: LLMStub) -> None:
    assert make_llm(load_settings({})) is None
    assert make_llm(load_settings({"ECOMINTEL_LLM_PROVIDER": "none", "OPENAI_API_KEY": "k"})) is None
    assert isinstance(make_llm(load_settings({"ECOMINTEL_LLM_BASE_URL": llm_stub.url})), OpenAIProvider)
    gemini = make_llm(load_settings({"GEMINI_API_KEY": "k"}))
    assert isinstance(gemini, GeminiProvider) and gemini.model == "gemini-2.0-flash"
    with pytest.raises(ServiceUnavailable, match="Unknown LLM provider"):
        make_llm(load_settings({"ECOMINTEL_LLM_PROVIDER": "acme"}))


def test_openai_json_reply_and_request(llm_stub: LLMStub) -> None:
    llm_stub.add(Reply.json({"intent": "overview"}, prompt_tokens=200, completion_tokens=15))
    reply = openai_client(llm_stub).complete_json("system text", "user text", SCHEMA)
    assert reply.data == {"intent": "overview"}
    assert (reply.prompt_tokens, reply.completion_tokens, reply.provider) == (200, 15, "openai")
    body = llm_stub.requests[0]["body"]
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_openai_invalid_json_is_an_error_that_keeps_the_token_counts(llm_stub: LLMStub) -> None:
    llm_stub.add(Reply.text("Sure! Here is your plan: {intent: overview"))
    with pytest.raises(LLMError, match="not valid JSON") as info:
        openai_client(llm_stub).complete_json("s", "u", SCHEMA)
    assert (info.value.prompt_tokens, info.value.completion_tokens) == (120, 30)


def test_openai_retries_429_then_succeeds(llm_stub: LLMStub) -> None:
    llm_stub.add(Reply.status(429), Reply.status(503), Reply.json({"intent": "trend"}))
    reply = openai_client(llm_stub).complete_json("s", "u", SCHEMA)
    assert reply.data == {"intent": "trend"}
    assert len(llm_stub.requests) == 3


def test_openai_retries_are_bounded(llm_stub: LLMStub) -> None:
    llm_stub.add(*[Reply.status(500)] * 5)
    with pytest.raises(LLMError, match="HTTP 500"):
        openai_client(llm_stub).complete_json("s", "u", SCHEMA)
    assert len(llm_stub.requests) == 3  # attempts, not forever


def test_openai_client_errors_are_not_retried(llm_stub: LLMStub) -> None:
    llm_stub.add(Reply.status(401), Reply.json({"intent": "trend"}))
    with pytest.raises(LLMError, match="HTTP 401"):
        openai_client(llm_stub).complete_json("s", "u", SCHEMA)
    assert len(llm_stub.requests) == 1


def test_openai_timeout_is_an_error_not_a_hang(llm_stub: LLMStub) -> None:
    llm_stub.add(Reply.slow(3, Reply.json({"intent": "overview"})))
    with pytest.raises(LLMError, match=r"did not answer within 0\.5 s"):
        openai_client(llm_stub, timeout="0.5").complete_json("s", "u", SCHEMA)
    assert len(llm_stub.requests) == 1  # a timeout is not retried


def test_openai_unreachable_server() -> None:
    settings = load_settings({"ECOMINTEL_LLM_BASE_URL": "http://127.0.0.1:9/v1", "ECOMINTEL_LLM_TIMEOUT_S": "2"})
    client = make_llm(settings)
    assert client is not None
    with pytest.raises(LLMError, match="could not be reached"):
        client.complete_text("s", "u")


def test_parse_json_object_accepts_fenced_json_only_for_objects() -> None:
    assert parse_json_object('```json\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(LLMError, match="not an object"):
        parse_json_object("[1, 2]")


def test_gemini_request_asks_for_schema_constrained_json() -> None:
    config = json_config("sys", SCHEMA)
    assert config.response_mime_type == "application/json"
    assert config.response_json_schema == SCHEMA
    assert config.system_instruction == "sys"


def test_gemini_provider_speaks_generate_content(llm_stub: LLMStub) -> None:
    """The real google-genai client against the stub's generateContent endpoint (Google itself is not
    reachable from here, so this is the wire format as the SDK sends it)."""
    settings = load_settings({"GEMINI_API_KEY": "test-key", "ECOMINTEL_LLM_TIMEOUT_S": "5"})
    client = GeminiProvider(settings, base_url=llm_stub.root, backoff_s=0.05)
    llm_stub.add(Reply.status(429), Reply.json({"intent": "movers"}, prompt_tokens=50, completion_tokens=7))
    reply = client.complete_json("be precise", "question here", SCHEMA)
    assert reply.data == {"intent": "movers"}
    assert (reply.prompt_tokens, reply.completion_tokens, reply.provider) == (50, 7, "gemini")
    assert len(llm_stub.requests) == 2
    request = llm_stub.requests[-1]
    assert request["path"].endswith("/models/gemini-2.0-flash:generateContent")
    assert request["headers"].get("x-goog-api-key") == "test-key"
    config = request["body"]["generationConfig"]
    assert config["responseMimeType"] == "application/json" and config["responseJsonSchema"] == SCHEMA
    assert request["body"]["systemInstruction"]["parts"][0]["text"] == "be precise"
    llm_stub.add(Reply.text("not json"))
    with pytest.raises(LLMError, match="not valid JSON"):
        client.complete_json("s", "u", SCHEMA)
