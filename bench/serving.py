"""Serving: time to first token through the server vs llama-cpp-python called directly with the
same prompt, cached answers under 1/8/32 concurrent clients, and the cache tiers' speed-ups.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import msgspec

from bench.direct_llama import DirectLlama, recorded_prompts
from bench.plan import Plan
from bench.server_process import ServerProcess
from bench.stats import latency_summary, ratio, spread, stream_timing
from localchat.config import Settings, with_rag
from localchat.embedding.embedder import Embedder


class ServingFigures(msgspec.Struct):
    chunks: int
    prompt_tokens: dict[str, float]  # of the prompts LocalChat built (sources included)
    ttft_server_ms: dict[str, float]  # first ask: prompt processing dominates
    ttft_direct_ms: dict[str, float]
    cold_ttft_difference_ms: float  # median of server - direct, first asks (noisy: see docs)
    ttft_server_warm_ms: dict[str, float]  # same prompt again: llama.cpp reuses its KV cache
    ttft_direct_warm_ms: dict[str, float]
    # median over questions of warm server TTFT - warm direct TTFT: what LocalChat adds to a
    # repeated question (its query embedding and token counts are cached by then)
    ttft_warm_difference_ms: float
    # in process, a new question: query embedding, retrieval and source budget, nothing cached
    prepare_ms: dict[str, float]
    # ttft_warm_difference_ms + median prepare_ms: an upper bound of what LocalChat adds to a
    # new question's time to first token beyond prompt processing (the repeated question's
    # own preparation is counted twice)
    rag_ttft_overhead_ms: float
    tokens_per_s_server: dict[str, float]
    tokens_per_s_direct: dict[str, float]
    server_vs_direct_tokens_per_s: float | None
    cached: dict[str, dict[str, float]]  # clients -> requests/s, p50, p99
    cache_tiers: dict | None  # bench.cache_load.bench_cache's report
    cached_speedup: float | None  # uncached answer / L1 answer, same question


def run(
    settings: Settings,
    embedder: Embedder,
    plan: Plan,
    data_dir: Path,
    chunks: int,
    questions: Sequence[str],
    log: Callable[[str], None],
    *,
    server_env: dict[str, str],
    log_file: Path,
) -> ServingFigures:
    model = f"localchat:{plan.serving_preset}"
    # The suite times the model (server vs direct llama.cpp): answers must come from it, not
    # from the extractive composer that `auto` picks for the bundled model.
    # Nor may they be declined: the synthetic questions are judged by the evidence's support
    # before any model runs, and a decline would time nothing.
    server_env = {
        **server_env,
        "LOCALCHAT_RAG_ANSWER_MODE": "generative",
        "LOCALCHAT_RAG_DECLINE_SCORE": "0",
    }
    settings = with_rag(settings, decline_score=0.0)
    asked, prompts, prepare = recorded_prompts(
        settings, data_dir, embedder, questions, plan.ttft_questions + 1, plan
    )
    if not asked:
        raise RuntimeError("no question retrieved any source above min_similarity")
    llama = DirectLlama(settings)
    direct, served, direct_warm, served_warm, prompt_tokens = [], [], [], [], []
    try:
        with ServerProcess(data_dir, log_file, server_env) as server:
            server.start()
            with httpx.Client(timeout=300.0) as client:

                def ask(question: str) -> dict:
                    return server_stream(
                        client, server.base_url, model, question, plan.generation_tokens
                    )

                # Interleaved, so both sides see the same machine load; each prompt twice:
                # the repeat reuses llama.cpp's KV cache, leaving LocalChat's own overhead.
                for question, messages in list(zip(asked, prompts, strict=True))[
                    : plan.ttft_questions
                ]:
                    prompt_tokens.append(len(llama.tokens(messages)))
                    direct.append(llama.stream(messages, plan.generation_tokens))
                    served.append(ask(question))
                    direct_warm.append(llama.stream(messages, plan.generation_tokens))
                    served_warm.append(ask(question))
                log(
                    f"serving: TTFT server {[round(s['ttft_ms']) for s in served]} ms, "
                    f"direct {[round(d['ttft_ms']) for d in direct]} ms; warm "
                    f"{[round(s['ttft_ms']) for s in served_warm]} / "
                    f"{[round(d['ttft_ms']) for d in direct_warm]} ms"
                )
                cached = {
                    str(clients): cached_load(server.base_url, model, asked[0], clients, plan)
                    for clients in plan.concurrency
                }
            tiers = cache_tiers(server, model, asked[-1], plan)
    finally:
        llama.close()
    cold = [s["ttft_ms"] - d["ttft_ms"] for s, d in zip(served, direct, strict=True)]
    warm = [s["ttft_ms"] - d["ttft_ms"] for s, d in zip(served_warm, direct_warm, strict=True)]
    server_tps = [s["tokens_per_s"] for s in served if s["tokens_per_s"]]
    direct_tps = [d["tokens_per_s"] for d in direct if d["tokens_per_s"]]
    return ServingFigures(
        chunks=chunks,
        prompt_tokens=spread(prompt_tokens, 0),
        ttft_server_ms=spread([s["ttft_ms"] for s in served], 1),
        ttft_direct_ms=spread([d["ttft_ms"] for d in direct], 1),
        cold_ttft_difference_ms=round(statistics.median(cold), 1),
        ttft_server_warm_ms=spread([s["ttft_ms"] for s in served_warm], 1),
        ttft_direct_warm_ms=spread([d["ttft_ms"] for d in direct_warm], 1),
        ttft_warm_difference_ms=round(statistics.median(warm), 1),
        prepare_ms=spread(prepare, 1),
        rag_ttft_overhead_ms=round(statistics.median(warm) + statistics.median(prepare), 1),
        tokens_per_s_server=spread(server_tps, 1),
        tokens_per_s_direct=spread(direct_tps, 1),
        server_vs_direct_tokens_per_s=(
            ratio(statistics.median(server_tps), statistics.median(direct_tps))
            if server_tps and direct_tps
            else None
        ),
        cached=cached,
        cache_tiers=tiers,
        cached_speedup=(tiers or {}).get("speedup", {}).get("l1"),
    )


def server_stream(
    client: httpx.Client, base_url: str, model: str, question: str, max_tokens: int
) -> dict:
    """TTFT (first content chunk) and tokens/s of one streamed, uncached RAG answer.

    Tokens come from the usage chunk: content chunks are not tokens (the citation filter
    merges pieces, and the first piece is held back to carry annotations at the end, so the
    first chunk arrives with the second token and the span covers tokens - 2 intervals).
    """
    body = {
        "model": model,
        "messages": [{"role": "user", "content": question}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": max_tokens,
        "temperature": 0,
    }
    started = time.perf_counter()
    first = last = None
    pieces = tokens = 0
    with client.stream(
        "POST",
        f"{base_url}/v1/chat/completions",
        json=body,
        headers={"Cache-Control": "no-cache"},
    ) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            choices = chunk.get("choices") or [{}]
            if (choices[0].get("delta") or {}).get("content"):
                last = time.perf_counter()
                first = first or last
                pieces += 1
            tokens = (chunk.get("usage") or {}).get("completion_tokens", tokens)
    return stream_timing(started, first, last, max(tokens - 1, 0) if tokens else pieces)


# -- cached answers under concurrency --------------------------------------------------------


def cached_load(
    base_url: str, model: str, question: str, clients: int, plan: Plan
) -> dict[str, float]:
    """requests/s and latency of one cached question asked by `clients` clients at once."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": question}],
        "temperature": 0,
        "max_tokens": plan.generation_tokens,
    }
    url = f"{base_url}/v1/chat/completions"
    with httpx.Client(timeout=300.0) as warm:
        warm.post(url, json=body).raise_for_status()  # the answer is now cached
    per_client = max(1, plan.serving_requests // clients)

    def worker(_: int) -> list[float]:
        times = []
        with httpx.Client(timeout=300.0) as client:
            for _ in range(per_client):
                started = time.perf_counter()
                client.post(url, json=body).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [ms for times in pool.map(worker, range(clients)) for ms in times]
    elapsed = time.perf_counter() - started
    summary = latency_summary(latencies)
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": summary["p50"],
        "p99_ms": summary["p99"],
        "requests": len(latencies),
    }


def cache_tiers(server: ServerProcess, model: str, question: str, plan: Plan) -> dict | None:
    """The cache engineer's tier benchmark (uncached, L1, L2 after a restart, semantic)."""
    try:
        from bench.cache_load import bench_cache
    except ImportError:
        return None
    return bench_cache(
        server.base_url,
        question,
        restart=server.restart,
        model=model,
        max_tokens=plan.generation_tokens,
    )


def ready_seconds(data_dir: Path, repeats: int, env: dict[str, str], log_file: Path) -> list[float]:
    """Seconds from spawning `localchat serve` to /api/health/ready answering 200."""
    seconds = []
    for _ in range(max(1, repeats)):
        with ServerProcess(data_dir, log_file, env) as server:
            seconds.append(round(server.start(), 3))
    return seconds
