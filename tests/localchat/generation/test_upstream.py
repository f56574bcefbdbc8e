"""The upstream (OpenAI-compatible server) generator against a real local HTTP server."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from localchat.config import ModelSettings, Settings
from localchat.errors import ConfigError, ContextOverflowError, UpstreamError
from localchat.generation.base import ChatMessage, Delta, GenerationParams, collect
from localchat.generation.factory import open_generator
from localchat.generation.upstream import UpstreamGenerator, normalise_base_url
from tests.localchat.generation.fake_openai import Behaviour, fake_openai_server

QUESTION = [ChatMessage("system", "Be brief."), ChatMessage("user", "Where is Paris?")]


def test_streams_deltas_and_sends_an_openai_request() -> None:
    with fake_openai_server() as (url, spec):
        generator = UpstreamGenerator(url, "sk-test", "llama3")
        params = GenerationParams(max_tokens=50, temperature=0.5, seed=3, stop=("END",))
        deltas = list(generator.stream(QUESTION, params))
        generator.close()
    assert [d.text for d in deltas] == ["Paris", " is", " in", " France.", ""]
    assert deltas[-1].finish_reason == "stop"
    assert deltas[-1].usage is not None
    assert (deltas[-1].usage.prompt_tokens, deltas[-1].usage.completion_tokens) == (11, 4)
    request = spec.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "llama3"
    assert request["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Where is Paris?"},
    ]
    assert request["stream"] is True
    assert (request["max_tokens"], request["temperature"], request["seed"]) == (50, 0.5, 3)
    assert request["stop"] == ["END"]
    assert spec.headers[0]["Authorization"] == "Bearer sk-test"


def test_length_finish_and_estimated_usage_without_server_usage() -> None:
    behaviour = Behaviour(words=["abcd", "efgh"], finish_reason="length", send_usage=False)
    with fake_openai_server(behaviour) as (url, _):
        generator = UpstreamGenerator(url + "/v1/", "", "m")
        result = collect(generator.stream(QUESTION, GenerationParams()))
    assert result.text == "abcdefgh"
    assert result.finish_reason == "length"
    assert result.usage.completion_tokens == 2  # 8 characters / 4
    assert result.usage.prompt_tokens == generator.count_messages(QUESTION)


def test_raw_completion_uses_the_completions_endpoint() -> None:
    with fake_openai_server() as (url, spec):
        generator = UpstreamGenerator(url, "", "m")
        result = collect(generator.complete("Once upon a time", GenerationParams(max_tokens=9)))
    assert result.text == "Paris is in France."
    assert spec.requests[0]["path"] == "/v1/completions"
    assert spec.requests[0]["prompt"] == "Once upon a time"
    assert "Authorization" not in spec.headers[0]


def test_cancel_stops_the_stream_and_closes_it() -> None:
    behaviour = Behaviour(words=[f" w{i}" for i in range(50)], delay=0.02)
    cancel = threading.Event()
    seen: list[Delta] = []
    with fake_openai_server(behaviour) as (url, _):
        generator = UpstreamGenerator(url, "", "m")
        for delta in generator.stream(QUESTION, GenerationParams(), cancel):
            seen.append(delta)
            if len(seen) == 2:
                cancel.set()
    assert len(seen) == 3
    assert seen[-1].finish_reason == "cancelled"


def test_count_tokens_is_a_character_estimate() -> None:
    generator = UpstreamGenerator("http://127.0.0.1:9", "", "m")
    assert generator.count_tokens("") == 0
    assert generator.count_tokens("abcde") == 2
    assert generator.count_messages([ChatMessage("user", "abcd")]) == 1 + 4 + 3
    assert generator.model_id == "m"
    assert generator.context_tokens == 4096


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434/v1"),
        ("http://127.0.0.1:11434/", "http://127.0.0.1:11434/v1"),
        ("http://host:8000/v1/", "http://host:8000/v1"),
        ("https://api.example.com/openai/v1/chat/completions", "https://api.example.com/openai/v1"),
    ],
)
def test_base_url_normalisation(given: str, expected: str) -> None:
    assert normalise_base_url(given) == expected


# -- error paths ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_says_how_to_fix_it() -> None:
    generator = UpstreamGenerator(f"http://127.0.0.1:{_free_port()}", "", "m")
    with pytest.raises(UpstreamError) as caught:
        generator.stream(QUESTION, GenerationParams())
    assert "cannot reach" in caught.value.message
    assert "upstream_base_url" in caught.value.hint
    assert caught.value.status == 502


@pytest.mark.parametrize(
    ("status", "body", "words_in_message", "words_in_hint"),
    [
        (401, {"error": {"message": "bad key"}}, ["API key", "401", "bad key"], ["api_key"]),
        (404, {"error": {"message": "model 'x' not found"}}, ["404", "not found"], ["model"]),
        (400, {"error": {"message": "temperature too high"}}, ["400", "temperature"], ["model"]),
        (503, {"error": "overloaded"}, ["503", "overloaded"], ["logs"]),
        (500, None, ["500", "nope"], ["logs"]),
    ],
)
def test_http_errors_become_upstream_errors(status, body, words_in_message, words_in_hint):
    with fake_openai_server(Behaviour(status=status, error_body=body)) as (url, _):
        generator = UpstreamGenerator(url, "k", "x")
        with pytest.raises(UpstreamError) as caught:
            generator.stream(QUESTION, GenerationParams())
    for word in words_in_message:
        assert word in caught.value.message
    for word in words_in_hint:
        assert word in caught.value.hint


def test_context_overflow_upstream_is_the_callers_error() -> None:
    body = {"error": {"message": "too long", "code": "context_length_exceeded"}}
    with fake_openai_server(Behaviour(status=400, error_body=body)) as (url, _):
        generator = UpstreamGenerator(url, "", "m")
        with pytest.raises(ContextOverflowError) as caught:
            generator.stream(QUESTION, GenerationParams())
    assert caught.value.status == 400


def test_malformed_event_is_reported() -> None:
    with fake_openai_server(Behaviour(malformed=True)) as (url, _):
        generator = UpstreamGenerator(url, "", "m")
        with pytest.raises(UpstreamError) as caught:
            list(generator.stream(QUESTION, GenerationParams()))
    assert "malformed" in caught.value.message


def test_connection_dropped_mid_stream_is_reported() -> None:
    with fake_openai_server(Behaviour(drop_after=3)) as (url, _):
        generator = UpstreamGenerator(url, "", "m")
        stream = generator.stream(QUESTION, GenerationParams())
        with pytest.raises(UpstreamError) as caught:
            list(stream)
    assert "broke off" in caught.value.message or "without finishing" in caught.value.message


def test_slow_server_times_out_with_a_hint() -> None:
    timeout = httpx.Timeout(0.3)
    with fake_openai_server(Behaviour(header_delay=1.0)) as (url, _):
        generator = UpstreamGenerator(url, "", "m", timeout=timeout)
        with pytest.raises(UpstreamError) as caught:
            generator.stream(QUESTION, GenerationParams())
    assert "in time" in caught.value.message


def test_configuration_mistakes_are_config_errors() -> None:
    with pytest.raises(ConfigError) as no_model:
        UpstreamGenerator("http://127.0.0.1:1", "", "")
    assert no_model.value.param == "upstream_model"
    with pytest.raises(ConfigError) as bad_url:
        UpstreamGenerator("localhost:11434", "", "m")
    assert "http" in bad_url.value.hint


def test_open_generator_picks_upstream_when_configured() -> None:
    models = ModelSettings(
        upstream_base_url="http://127.0.0.1:11434", upstream_model="qwen", context_tokens=8192
    )
    generator = open_generator(Settings(models=models))
    assert isinstance(generator, UpstreamGenerator)
    assert generator.base_url == "http://127.0.0.1:11434/v1"
    assert generator.context_tokens == 8192
    generator.close()
