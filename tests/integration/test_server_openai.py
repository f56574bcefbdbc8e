"""The real server (uvicorn, bundled models, real PDFs) driven by the real `openai` SDK.

Every response and stream chunk is validated against the OpenAI spec subset; a question whose
answer is on one page of one PDF must come back with that file and page as its first source.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import numpy as np
import openai
import pytest

from localchat.config import load_settings
from server.app import create_app
from tests.conftest import REPO, shared_path
from tests.server.harness import read_files, running_server, upload_and_wait
from tests.server.openapi import validate

PDFS = ("faa-amt_handbook_sample.pdf", "go-gofrontend-gcc-summit-2010.pdf")
GO_PDF = "go-gofrontend-gcc-summit-2010.pdf"
# Page 3 of the paper: gcc is linked with GMP, MPFR and MPC, used for constants.
PRECISION_QUESTION = "Which libraries does gccgo use to represent infinite precision constants?"
NUT_QUESTION = "What keeps a Boots self-locking nut tight under vibration?"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("server-data")


@pytest.fixture(scope="module")
def base(data_dir):
    files = [shared_path("docs-corpus", name) for name in PDFS]
    settings = load_settings(data_dir=data_dir, environ={})
    with running_server(create_app(settings), timeout=300) as url:
        state = upload_and_wait(url, read_files(files, "application/pdf"))
        assert state["added"] == len(PDFS), state
        yield url


@pytest.fixture(scope="module")
def client(base):
    return openai.OpenAI(base_url=f"{base}/v1", api_key="not-needed-on-loopback", max_retries=0)


def test_models_list(client, base):
    ids = [model.id for model in client.models.list()]
    assert ids[:4] == ["localchat", "localchat:fast", "localchat:balanced", "localchat:accurate"]
    assert "SmolLM2-135M-Instruct.Q4_1" in ids
    validate("ListModelsResponse", httpx.get(f"{base}/v1/models").json())
    assert client.models.retrieve("localchat:accurate").owned_by == "localchat"


def test_answer_cites_the_right_pdf_page(client):
    raw = client.chat.completions.with_raw_response.create(
        model="localchat:fast",  # ten sources: the smallest prompt, the quickest answer
        messages=[{"role": "user", "content": PRECISION_QUESTION}],
        max_tokens=32,
        temperature=0,
        seed=1,
    )
    body = json.loads(raw.http_response.text)
    validate("CreateChatCompletionResponse", body)
    first = body["sources"][0]
    assert (first["filename"], first["page"]) == (GO_PDF, 3), body["sources"][:3]
    assert "GMP" in first["preview"] or "GMP" in first["text"]
    completion = raw.parse()  # the SDK's own parsing of the same response
    message = completion.choices[0].message
    assert message.content and message.role == "assistant"
    for annotation in message.annotations or []:
        span = annotation.url_citation
        assert message.content[span.start_index : span.end_index].startswith("[")
    assert raw.headers["x-localchat-cache"] in ("miss", "l1", "l2", "semantic")


def test_streamed_answer(client):
    stream = client.chat.completions.create(
        model="localchat:fast",
        messages=[{"role": "user", "content": NUT_QUESTION}],
        max_tokens=32,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk.to_dict() for chunk in stream]
    for chunk in chunks:
        validate("CreateChatCompletionStreamResponse", chunk)
    assert chunks[0]["sources"][0]["filename"] == "faa-amt_handbook_sample.pdf"
    assert chunks[0]["sources"][0]["page"] == 1
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text.strip()
    assert chunks[-1]["usage"]["completion_tokens"] > 0


def test_bare_generator_is_plain_chat(client, base):
    body = httpx.post(
        f"{base}/v1/chat/completions",
        json={
            "model": "SmolLM2-135M-Instruct.Q4_1",
            "max_tokens": 8,
            "messages": [{"role": "user", "content": "Say hello."}],
        },
        timeout=60,
    ).json()
    validate("CreateChatCompletionResponse", body)
    assert body["sources"] == [] and body["choices"][0]["message"]["content"]


def test_embeddings(client, base):
    result = client.embeddings.create(model="localchat", input=["self-locking nut", "goroutine"])
    vectors = np.array([item.embedding for item in result.data], dtype=np.float32)
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    raw = httpx.post(
        f"{base}/v1/embeddings", json={"model": "localchat", "input": "bolt"}, timeout=60
    ).json()
    validate("CreateEmbeddingResponse", raw)
    assert raw["usage"]["prompt_tokens"] >= 3


def test_errors_reach_the_sdk_as_openai_errors(client):
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert missing.value.body["code"] == "model_not_found"
    with pytest.raises(openai.BadRequestError) as empty:
        client.chat.completions.create(model="localchat", messages=[])
    assert empty.value.body["param"] == "messages"


def test_ask_command_answers_from_the_same_library(base, data_dir):
    command = [sys.executable, "-m", "localchat.cli", "--data-dir", str(data_dir)]
    command += ["ask", "--json", "--preset", "fast", PRECISION_QUESTION]
    env = {"PATH": "/usr/bin:/bin", "LOCALCHAT_MODELS_MAX_ANSWER_TOKENS": "16"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["sources"][0]["filename"], answer["sources"][0]["page"]) == (GO_PDF, 3)
    assert answer["usage"]["completion_tokens"] <= 16
