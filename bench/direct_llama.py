"""The same prompt two ways: the exact messages LocalChat's chat service builds for a question
(recorded in process), and llama-cpp-python run directly on them (the serving baseline)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from bench.harness import open_runtime
from bench.plan import Plan
from bench.stats import stream_timing
from localchat.config import Settings
from localchat.embedding.embedder import Embedder
from localchat.generation.base import ChatMessage, Delta, GenerationParams, Usage


class _RecordingGenerator:
    """Stands in for the answer model: records the messages the chat service built."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.context_tokens = inner.context_tokens
        self.messages: list[ChatMessage] = []
        self.started = 0.0  # set before each question
        self.prepare_ms = 0.0  # question in -> model asked to generate (retrieval + budget)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def count_messages(self, messages) -> int:
        return self.inner.count_messages(messages)

    def stream(self, messages, params, cancel=None):
        self.prepare_ms = (time.perf_counter() - self.started) * 1000
        self.messages = list(messages)
        return iter([Delta("", finish_reason="stop", usage=Usage(0, 0))])

    def close(self) -> None:
        """The real generator belongs to the pool (closed when the lease ends)."""


def recorded_prompts(
    settings: Settings,
    data_dir: Path,
    embedder: Embedder,
    questions: Sequence[str],
    wanted: int,
    plan: Plan,
) -> tuple[list[str], list[list[ChatMessage]], list[float]]:
    """Up to `wanted` questions that retrieve sources, the exact messages LocalChat sends
    the model for each (a question whose hits all fall under min_similarity gets a canned
    answer without the model, which would time nothing), and the milliseconds LocalChat
    spent before asking the model (query embedding, retrieval, source budget: nothing of it
    cached, as for a new question). max_tokens matches the server request's: the source
    budget depends on it."""
    from localchat.chat.service import ChatRequest, ChatService

    runtime, _ = open_runtime(settings, data_dir, embedder)
    cache, runtime.cache = runtime.cache, None  # the recorder's empty answer must not be cached
    asked: list[str] = []
    prompts: list[list[ChatMessage]] = []
    prepare: list[float] = []
    try:
        # The pool closes a generator it stops holding (set_generator below) unless a lease
        # keeps it: without one the recorder would count tokens on a freed llama.cpp model.
        with runtime.generators.lease() as real:
            recorder = _RecordingGenerator(real)
            runtime.set_generator(recorder)
            service = ChatService(runtime)
            for question in questions:
                recorder.messages = []
                recorder.started = time.perf_counter()
                service.answer(
                    ChatRequest(
                        messages=[ChatMessage("user", question)],
                        params=GenerationParams(max_tokens=plan.generation_tokens, temperature=0.0),
                        preset=plan.serving_preset,
                        use_cache=False,
                        answer_mode="generative",  # the model answers (what is timed)
                    )
                )
                if recorder.messages:
                    asked.append(question)
                    prompts.append(recorder.messages)
                    prepare.append(recorder.prepare_ms)
                if len(asked) >= wanted:
                    break
            return asked, prompts, prepare
    finally:
        runtime.cache = cache
        runtime.close()


class DirectLlama:
    """llama-cpp-python used directly: the GGUF's chat template formats the messages (as
    LocalChat's generator does), then `Llama.generate` runs greedy decoding on the tokens.

    Same model file, context and threads as LocalChat's generator; one Llama is kept for all
    questions, as the server keeps one. (`create_chat_completion` was measured too and is
    slower than both, so it would flatter LocalChat: docs/benchmarks.md.)
    """

    def __init__(self, settings: Settings) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        from localchat.generation.llama import CHATML_TEMPLATE
        from localchat.generation.llama_loader import open_llama
        from localchat.generation.threads import default_threads
        from localchat.modelfiles.locate import require_smollm2_gguf

        path = Path(settings.models.generation_path or require_smollm2_gguf())
        threads = settings.models.threads or default_threads()
        self.llm = open_llama(
            path,
            n_ctx=settings.models.context_tokens,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )

        def special(token: int) -> str:
            return self.llm.detokenize([token], special=True).decode("utf-8", errors="replace")

        self.format = Jinja2ChatFormatter(
            template=self.llm.metadata.get("tokenizer.chat_template") or CHATML_TEMPLATE,
            eos_token=special(self.llm.token_eos()),
            bos_token=special(self.llm.token_bos()),
            add_generation_prompt=True,
        )

    def tokens(self, messages: list[ChatMessage]) -> list[int]:
        result = self.format(messages=[{"role": m.role, "content": m.content} for m in messages])
        return self.llm.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )

    def stream(self, messages: list[ChatMessage], max_tokens: int) -> dict:
        import llama_cpp

        started = time.perf_counter()
        first = last = None
        pieces = 0
        vocab = self.llm._model.vocab  # llama-cpp-python exposes no public end-of-generation test
        for token in self.llm.generate(self.tokens(messages), temp=0.0):
            if llama_cpp.llama_vocab_is_eog(vocab, token) or pieces >= max_tokens:
                break
            self.llm.detokenize([token])
            last = time.perf_counter()
            first = first or last
            pieces += 1
        return stream_timing(started, first, last, pieces)

    def close(self) -> None:
        self.llm.close()
