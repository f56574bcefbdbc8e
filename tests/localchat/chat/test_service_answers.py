"""ChatService's evidence-first answers through real Resources (SQLite, USearch, hash embedder)."""

from __future__ import annotations

import pytest

from localchat.chat.service import ChatRequest, ChatService
from localchat.config import with_rag
from localchat.embedding.embedder import HashEmbedder
from localchat.errors import InvalidRequestError
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.generation.scripted import ScriptedGenerator
from localchat.resources import Resources

GCCGO = (
    "The gccgo frontend is arranged as a series of passes over the input.\n\n"
    "The intermediate representation, known as GOGO, is a collection of C++ classes. "
    "This version of GOGO is eventually converted to GENERIC and passed to the middle-end.\n"
)
# Worded close to the text: the hash embedder's cosines run lower than MiniLM's, and the
# decline threshold is set for MiniLM.
QUESTION = "What is the intermediate representation GOGO of the gccgo frontend converted to?"


@pytest.fixture
def runtime(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gccgo.txt").write_text(GCCGO)
    (docs / "cats.txt").write_text("Cats sleep for most of the day and hunt at dusk.\n")
    opened = Resources.open(
        with_rag(settings, answer_mode="auto"), embedder=HashEmbedder(), isolate_parsing=False
    )
    opened.set_generator(
        ScriptedGenerator(["GOGO is converted to GENERIC [1]. The moon is made of cheese."])
    )
    assert opened.library.ingest([docs]).failed == 0
    yield opened
    opened.close()


def ask(runtime, question=QUESTION, **request):
    messages = [ChatMessage("user", question)]
    request.setdefault("use_cache", False)
    params = GenerationParams(temperature=0.0)
    return ChatService(runtime).answer(ChatRequest(messages, params=params, **request))


def test_extractive_quotes_the_sources_and_never_calls_the_generator(runtime):
    result = ask(runtime, answer_mode="extractive")
    assert result.answer_mode == "extractive"
    assert "GOGO" in result.content and "[1]" in result.content
    assert runtime.generator.calls == []
    cited = result.sources[0]
    quote = cited.quote
    assert cited.text[quote.start : quote.end] == quote.text
    assert result.annotations[0].type == "url_citation"


def test_auto_is_extractive_for_the_bundled_model(runtime):
    assert ask(runtime).answer_mode == "extractive"


def test_generative_keeps_supported_sentences_and_drops_invented_ones(runtime):
    result = ask(runtime, answer_mode="generative")
    assert result.content == "GOGO is converted to GENERIC [1]."
    assert (result.answer_sentences, result.unsupported_sentences) == (2, 1)
    prompt = runtime.generator.calls[0][-1].content
    assert prompt.startswith("Evidence:\n") and "<source" not in prompt


def test_a_streamed_answer_equals_the_final_one(runtime):
    service = ChatService(runtime)
    request = ChatRequest(
        [ChatMessage("user", QUESTION)], answer_mode="generative", use_cache=False
    )
    events = list(service.stream(request))
    assert events[0].kind == "sources" and events[0].sources[0].quote is not None
    streamed = "".join(e.text for e in events if e.kind == "delta")
    assert streamed == events[-1].result.content


def test_a_question_the_documents_do_not_cover_is_declined(runtime):
    result = ask(runtime, "Which airline took delivery of the first Boeing jet?")
    assert result.declined  # here by the retrieval cut; the support threshold: test_compose
    assert "can't answer it from them" in result.content
    assert result.annotations == []


def test_verbatim_requests_get_the_passages_and_the_model_text(runtime):
    result = ask(runtime, verbatim=True)
    assert result.answer_mode == "passages"
    assert "<source" in runtime.generator.calls[0][-1].content
    assert result.content.startswith("GOGO is converted to GENERIC [1].")


def test_the_mode_is_part_of_the_cache_key(runtime):
    service = ChatService(runtime)
    base = ChatRequest([ChatMessage("user", QUESTION)])
    keys = {
        service.key_parts(ChatRequest(base.messages, answer_mode=mode)).answer_mode
        for mode in ("extractive", "generative")
    }
    assert keys == {"extractive", "generative"}


def test_an_unknown_mode_is_a_bad_request(runtime):
    with pytest.raises(InvalidRequestError, match="answer_mode"):
        ask(runtime, answer_mode="poetry")


def test_the_evidence_prompt_is_capped(runtime):
    from localchat.answer.evidence import Evidence, EvidenceItem
    from localchat.chat.evidence_answer import PROMPT_TOKENS, fit_evidence

    long = "word " * 150
    items = [
        EvidenceItem(1, 1, 1, "a.txt", 0, 0, 0, len(long), long, 1.0 - n / 10, 0.5, 0.5)
        for n in range(6)
    ]
    source = ChatService(runtime).retrieve(QUESTION, "balanced").hits[0]
    from localchat.chat.service import hit_to_source

    sources = [hit_to_source(1, source)]
    fitted, messages = fit_evidence(
        runtime.generator, "rules", QUESTION, Evidence(items, 6), sources
    )
    assert runtime.generator.count_messages(messages) <= PROMPT_TOKENS
    assert [i.score for i in fitted.items] == [1.0, 0.9, 0.8]  # the best kept


def test_an_extractive_answer_keeps_to_max_tokens(runtime):
    service = ChatService(runtime)
    request = ChatRequest(
        [ChatMessage("user", QUESTION)],
        GenerationParams(max_tokens=5),
        answer_mode="extractive",
        use_cache=False,
    )
    result = service.answer(request)
    assert result.completion_tokens <= 5 and result.finish_reason == "length"
    assert result.content and QUESTION not in result.content
