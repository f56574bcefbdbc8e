"""ChatService with several models: a request's `model`, and a switch in the middle of answers."""

from __future__ import annotations

import threading

import msgspec

from localchat.chat.service import ChatRequest, ChatService
from localchat.embedding.embedder import HashEmbedder
from localchat.generation.base import ChatMessage
from localchat.generation.pool import GeneratorPool
from localchat.generation.scripted import ScriptedGenerator
from localchat.modelfiles.entry import Discovery, ModelEntry
from localchat.resources import Resources

A_TEXT = "alpha " * 12
B_TEXT = "bravo " * 12


def runtime_with_two_models(settings) -> tuple[Resources, dict]:
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    made: dict[str, ScriptedGenerator] = {}

    def opener(name):
        name = name or "model-a"
        text = A_TEXT if name == "model-a" else B_TEXT
        made[name] = ScriptedGenerator([text.strip()], model_id=name, delay=0.01)
        return made[name]

    runtime.generators = GeneratorPool(opener, max_loaded=1, bundled_id="model-a")
    # What discovery would have found: the switch checks names against it before loading.
    entries = [
        ModelEntry(name=n, kind="chat", origin="settings", path=f"/{n}.gguf")
        for n in ("model-a", "model-b")
    ]
    runtime._discovery = Discovery(models=entries, warnings=[])
    return runtime, made


def ask(service: ChatService, model: str | None = None) -> tuple[str, str]:
    request = ChatRequest(
        [ChatMessage("user", "say something")], preset=None, model=model, use_cache=False
    )
    events = list(service.stream(request))
    text = "".join(e.text for e in events if e.kind == "delta")
    return events[0].model, text


def test_a_request_may_name_another_model(settings):
    runtime, _ = runtime_with_two_models(settings)
    try:
        service = ChatService(runtime)
        assert ask(service) == ("model-a", A_TEXT.strip())
        assert ask(service, "model-b") == ("model-b", B_TEXT.strip())
        assert runtime.generator.model_id == "model-a"  # naming a model does not switch
        assert runtime.generator_is_bundled
    finally:
        runtime.close()


def test_a_switch_mid_answer_leaves_every_answer_whole(settings):
    runtime, made = runtime_with_two_models(settings)
    try:
        service = ChatService(runtime)
        results: list[tuple[str, str]] = []
        started = threading.Barrier(5)

        def client():
            request = ChatRequest([ChatMessage("user", "go")], preset=None, use_cache=False)
            events = service.stream(request)
            first = next(events)  # the model is leased: this answer is now on it
            started.wait()
            text = first.text + "".join(e.text for e in events if e.kind == "delta")
            results.append((first.model, text))

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        started.wait()
        runtime.switch_generator("model-b")  # the old model is retired, not closed
        assert not made["model-a"].closed
        for thread in threads:
            thread.join(30)
        assert results and all(r == ("model-a", A_TEXT.strip()) for r in results), results
        assert made["model-a"].closed  # closed once the last answer on it finished
        assert ask(service) == ("model-b", B_TEXT.strip())
        assert not runtime.generator_is_bundled
    finally:
        runtime.close()


def test_the_answer_cache_keys_on_the_answering_model(settings):
    runtime, _ = runtime_with_two_models(settings)
    try:
        service = ChatService(runtime)
        request = ChatRequest([ChatMessage("user", "cached?")], preset=None)
        a = service.key_parts(request, runtime.generators.active)
        with runtime.generators.lease("model-b") as b_model:
            b = service.key_parts(request, b_model)
        assert msgspec.json.encode(a) != msgspec.json.encode(b)
    finally:
        runtime.close()
