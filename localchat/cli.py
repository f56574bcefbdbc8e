"""The `localchat` command: parses arguments and dispatches (server, TUI, bench imported lazily)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import msgspec

from localchat.config import PRESETS
from localchat.errors import ConfigError, LocalChatError

TUI_PORT_HELP = (
    "TUI: port of the LocalChat server to use, or to start if none answers "
    "(default 8484; env LOCALCHAT_SERVER_PORT)"
)


COLLECTION_HELP = (
    'the collection (default "default"; "all" is the whole library; see `localchat collections`)'
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localchat",
        description=(
            "Private chat with your documents. With no command, opens the TUI "
            "(`localchat --port N` or `localchat tui --port N` picks the port of the server "
            "it uses or starts)."
        ),
    )
    parser.add_argument("--data-dir", help="where LocalChat keeps its data (env LOCALCHAT_HOME)")
    parser.add_argument("--config", help="TOML settings file (env LOCALCHAT_CONFIG)")
    parser.add_argument("--port", type=int, dest="tui_port", default=None, help=TUI_PORT_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    tui = sub.add_parser("tui", help="open the terminal app (the same as no command)")
    tui.add_argument("--port", type=int, dest="tui_port", default=None, help=TUI_PORT_HELP)

    serve = sub.add_parser("serve", help="run the OpenAI-compatible server (headless)")
    serve.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8484)")

    ingest = sub.add_parser("ingest", help="ingest files and folders")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    ingest.add_argument(
        "--collection",
        default="default",
        metavar="NAME",
        help="ingest into this collection (created when missing; files already in the "
        "library join it without being read again)",
    )

    for name, helptext in (
        ("search", "retrieval only, with score breakdown"),
        ("ask", "one answer with its sources"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("query", metavar="QUESTION" if name == "ask" else "QUERY")
        cmd.add_argument("--preset", choices=list(PRESETS), default=None)
        cmd.add_argument("--json", action="store_true")
        cmd.add_argument("--collection", default=None, metavar="NAME", help=COLLECTION_HELP)
        if name == "search":
            cmd.add_argument("--mode", choices=["hybrid", "bm25", "vector"], default="hybrid")
            cmd.add_argument("--explain", action="store_true", help="also list dropped candidates")

    ev = sub.add_parser(
        "eval", help="retrieval quality on a BEIR folder, or answer quality (--answers FILE)"
    )
    ev.add_argument("dir", metavar="DIR", nargs="?", help="a BEIR-layout folder")
    ev.add_argument(
        "--answers",
        metavar="FILE",
        help="answer quality on a QA JSONL set (or a PubMedQA folder with answers.jsonl)",
    )
    ev.add_argument(
        "--corpus",
        metavar="DIR",
        help="with --answers: ingest this folder into a fresh temporary library first",
    )
    ev.add_argument(
        "--answer-mode",
        choices=["extractive", "generative", "auto"],
        default=None,
        help="with --answers: the answer mode (default: rag.answer_mode)",
    )
    ev.add_argument("--preset", choices=list(PRESETS), default="balanced")
    ev.add_argument("--limit", type=int, default=None, help="only the first N queries")
    ev.add_argument(
        "--mode",
        default="hybrid",
        help="hybrid, bm25, vector, or 'all' for the three (default hybrid)",
    )
    ev.add_argument(
        "--collection",
        default=None,
        metavar="NAME",
        help="ingest the BEIR corpus into this collection of one shared evaluation library "
        "(which may hold other corpora) and rank within it only",
    )
    ev.add_argument("--json", action="store_true")

    collections = sub.add_parser(
        "collections", help="named libraries: list (default), create, rename, delete"
    )
    collections.add_argument("--json", action="store_true", help="print one JSON document")
    actions = collections.add_subparsers(dest="action")
    listing = actions.add_parser("list", help="every collection with its document and chunk counts")
    create = actions.add_parser("create", help="make an empty collection")
    create.add_argument("name", metavar="NAME")
    rename = actions.add_parser("rename", help="give a collection another name")
    rename.add_argument("old", metavar="NAME")
    rename.add_argument("new", metavar="NEW_NAME")
    remove = actions.add_parser(
        "delete", help="delete a collection and the documents that belong to no other one"
    )
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--yes", action="store_true", help="delete without asking")
    for action in (
        listing,
        create,
        rename,
        remove,
    ):  # after the action too; never resets the outer one
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS)

    bench = sub.add_parser("bench", help="the performance suite")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--quick", action="store_true", help="the small CI subset")
    bench.add_argument(
        "--scale",
        type=int,
        action="append",
        default=None,
        help="chunk counts for retrieval at scale (repeatable)",
    )
    bench.add_argument("--output", help="also write the JSON figures to this file")
    bench.add_argument(
        "--shared",
        metavar="DIR",
        default=None,
        help="folder with eval/scifact and docs-corpus (env LOCALCHAT_BENCH_SHARED; "
        "default ../shared from the current directory)",
    )
    bench.add_argument(
        "--st-python",
        metavar="PYTHON",
        default=None,
        help="sentence-transformers venv's python for the baseline, '' to skip "
        "(env LOCALCHAT_BENCH_ST_PYTHON; default ../bench-venv/bin/python)",
    )

    watch = sub.add_parser(
        "watch", help="keep the library in sync with folders until Ctrl-C (default: ingest.watch)"
    )
    watch.add_argument("dirs", nargs="*", metavar="DIR")
    watch.add_argument(
        "--collection", default=None, help='the collection they feed (default "default")'
    )

    sub.add_parser("doctor", help="check models, data dir, server and index; say what to do")
    sub.add_parser("mcp", help="serve MCP over stdio (tools: search_documents, ask, ...)")

    models = sub.add_parser("models", help="models on this machine; `models use NAME` picks one")
    models.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    models_sub = models.add_subparsers(dest="action", metavar="ACTION")
    use = models_sub.add_parser("use", help="set the chat (or embedding) model in the config file")
    use.add_argument("name", metavar="NAME", help="a name from `localchat models`")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # llama.cpp's OpenMP threads spin while idle; on a busy laptop that costs 4x in embedding
    # speed (measured). Must be set before llama_cpp is imported; the user's choice wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    args = build_parser().parse_args(argv)
    try:
        from localchat.config import load_settings

        settings = load_settings(args.config, args.data_dir)
        return _dispatch(args, settings)
    except LocalChatError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, settings) -> int:
    command = args.command
    if command in (None, "tui"):
        from tui.app import run_tui  # lazy: the core never imports the front ends

        return run_tui(with_port(settings, args.tui_port), config_file=args.config)
    if command == "serve":
        from server.app import serve

        return serve(settings, host=args.host, port=args.port)
    if command == "bench":
        from bench.command import main as bench_main  # a front end too: not part of the core

        return bench_main(args, settings)
    from localchat.commands import run

    return run(command, args, settings)


def with_port(settings, port: int | None):
    """Settings whose server port is `port` (a started server gets it too), if one was given."""
    if port is None:
        return settings
    if not 0 < port < 65536:
        raise ConfigError(
            f"--port {port} is not a TCP port", hint="use a number from 1 to 65535, e.g. 8485"
        )
    server = msgspec.structs.replace(settings.server, port=port)
    return msgspec.structs.replace(settings, server=server)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
