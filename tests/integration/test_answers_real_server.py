"""Evidence-first answers through the real server, the bundled models and a real PDF."""

from __future__ import annotations

import httpx
import openai
import pytest

from localchat.config import load_settings
from server.app import create_app
from tests.conftest import shared_path
from tests.server.harness import read_files, running_server, upload_and_wait
from tests.server.openapi import validate

GO_PDF = "go-gofrontend-gcc-summit-2010.pdf"
QUESTION = "What intermediate representation does the gccgo frontend produce?"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    pdf = shared_path("docs-corpus", GO_PDF)
    settings = load_settings(data_dir=tmp_path_factory.mktemp("answers-data"), environ={})
    with running_server(create_app(settings), timeout=300) as url:
        upload_and_wait(url, read_files([pdf], "application/pdf"))
        yield url


@pytest.fixture(scope="module")
def client(base):
    return openai.OpenAI(base_url=f"{base}/v1", api_key="not-needed-on-loopback", max_retries=0)


def cited_sources(body: dict) -> list[dict]:
    content = body["choices"][0]["message"]["content"]
    return [s for s in body["sources"] if f"[{s['index']}]" in content]


@pytest.mark.parametrize("mode", ["auto", "extractive", "generative"])
def test_the_gccgo_answer_names_generic_and_cites_its_page(client, mode):
    completion = client.chat.completions.create(
        model="localchat",
        messages=[{"role": "user", "content": QUESTION}],
        extra_body={"answer_mode": mode},
    )
    body = completion.to_dict()
    validate("CreateChatCompletionResponse", body)
    content = body["choices"][0]["message"]["content"]
    assert "GENERIC" in content, content
    generic = [s for s in cited_sources(body) if "GENERIC" in s["text"]]
    assert generic and all(s["filename"] == GO_PDF and s["page"] == 1 for s in generic), body
    for source in cited_sources(body):
        quote = source["quote"]
        assert source["text"][quote["start"] : quote["end"]] == quote["text"]
    assert "<source" not in content


def test_a_streamed_answer_equals_the_whole_one(client):
    request = {"model": "localchat", "messages": [{"role": "user", "content": QUESTION}]}
    whole = client.chat.completions.create(**request).choices[0].message.content
    stream = client.chat.completions.create(**request, stream=True)
    chunks = [chunk.to_dict() for chunk in stream]
    streamed = "".join(
        c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]
    )
    assert streamed == whole
    assert "quote" in chunks[0]["sources"][0]


def test_a_bad_answer_mode_is_a_400_in_the_error_envelope(base):
    response = httpx.post(
        f"{base}/v1/chat/completions",
        json={
            "model": "localchat",
            "messages": [{"role": "user", "content": QUESTION}],
            "answer_mode": "poetry",
        },
        timeout=60,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "answer_mode" and "extractive" in error["message"]
