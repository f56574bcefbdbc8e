"""`localchat eval --answers FILE`: answer quality of a QA set (or PubMedQA) in process."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import msgspec

from localchat.answer.evaluate import run_answers
from localchat.answer.pubmed import is_pubmed_folder, read_pubmed, run_pubmed
from localchat.chat.service import ChatService
from localchat.config import Settings
from localchat.errors import InvalidRequestError
from localchat.resources import Resources
from localchat.retrieval.evaluate import corpus_documents, eval_data_dir


def answers_main(args, settings: Settings, *, embedder=None, generator=None) -> int:
    from localchat.commands.output import print_json

    target = Path(args.answers)
    say = (lambda *_: None) if args.json else (lambda text: print(text, file=sys.stderr))
    if is_pubmed_folder(target):
        report = _pubmed(args, settings, target, say, embedder, generator)
    else:
        report = _qa(args, settings, target, say, embedder, generator)
    if args.json:
        print_json(report)
    else:
        summary = {k: v for k, v in msgspec.to_builtins(report).items() if k != "items"}
        for key, value in summary.items():
            print(f"{key:>26}: {value}")
    return 0


def _qa(args, settings, path: Path, say, embedder, generator):
    from localchat.answer.evaluate import read_items

    items = read_items(path)[: args.limit] if args.limit else read_items(path)
    with tempfile.TemporaryDirectory(prefix="localchat-eval-") as scratch:
        if args.corpus:
            corpus = Path(args.corpus)
            if not corpus.is_dir():
                raise InvalidRequestError(
                    f"--corpus {corpus} is not a folder", hint="pass the documents' folder"
                )
            settings = msgspec.structs.replace(settings, data_dir=scratch)
        runtime = _open(settings, embedder, generator)
        try:
            if args.corpus:
                say(f"ingesting {args.corpus} into a fresh library…")
                report = runtime.library.ingest([args.corpus])
                if report.failed:
                    say(f"warning: {report.failed} files failed to ingest")
            service = ChatService(runtime)
            return run_answers(
                service,
                items,
                mode=args.answer_mode,
                on_item=lambda s: say(f"{s.id}: {'ok ' if s.correct else '   '}{s.answer[:90]!r}"),
            )
        finally:
            runtime.close()


def _pubmed(args, settings, folder: Path, say, embedder, generator):
    pairs = read_pubmed(folder, args.limit)
    corpus = folder / "corpus.jsonl"
    data_dir = eval_data_dir(settings, corpus, "balanced")
    settings = msgspec.structs.replace(
        settings,
        data_dir=str(data_dir),
        rag=msgspec.structs.replace(settings.rag, preset="balanced"),
    )
    runtime = _open(settings, embedder, generator)
    try:
        total = sum(1 for line in corpus.read_bytes().splitlines() if line.strip())
        if runtime.store.counts()[0] != total:
            say(f"ingesting {total} abstracts into {data_dir} (once)…")
            runtime.library.ingest_documents(corpus_documents(corpus, folder.name), total)
        return run_pubmed(
            ChatService(runtime),
            pairs,
            mode=args.answer_mode,
            on_item=lambda n, gold, rag, bare: say(f"{n}: gold {gold}, rag {rag}, bare {bare}"),
        )
    finally:
        runtime.close()


def _open(settings: Settings, embedder, generator) -> Resources:
    runtime = Resources.open(settings, embedder=embedder, isolate_parsing=False)
    if generator is not None:
        runtime.set_generator(generator)
    return runtime


__all__ = ["answers_main"]
