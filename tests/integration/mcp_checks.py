"""What both MCP tests (stdio and HTTP) check with a real SDK client session."""

from __future__ import annotations

import json

from mcp.client.session import ClientSession

TOOLS = {"search_documents", "ask", "list_documents", "get_passage", "ingest_paths"}


def payload(result) -> dict:
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


async def exercise(session: ClientSession, question: str, filename: str) -> dict:
    """List tools, call each one, and check bad arguments come back as tool errors."""
    await session.initialize()
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == TOOLS
    assert tools["search_documents"].input_schema["required"] == ["query"]
    assert "top_k" in tools["search_documents"].input_schema["properties"]

    documents = payload(await session.call_tool("list_documents", {}))["documents"]
    assert filename in [d["filename"] for d in documents]

    found = payload(await session.call_tool("search_documents", {"query": question, "top_k": 3}))
    hits = found["results"]
    assert 1 <= len(hits) <= 3 and hits[0]["filename"] == filename
    assert hits[0]["url"].startswith(f"localchat://documents/{hits[0]['document_id']}#page=")

    by_url = payload(await session.call_tool("get_passage", {"ref": hits[0]["url"]}))
    by_id = payload(await session.call_tool("get_passage", {"ref": hits[0]["chunk_id"]}))
    assert by_url["text"] == by_id["text"] == hits[0]["text"]

    answer = payload(await session.call_tool("ask", {"question": question, "preset": "fast"}))
    assert answer["answer"].strip()
    assert answer["sources"][0]["filename"] == filename and answer["sources"][0]["url"]

    resources = (await session.list_resources()).resources
    document = next(r for r in resources if r.name == filename)
    read = await session.read_resource(document.uri)
    assert filename in read.contents[0].text and hits[0]["text"][:40] in read.contents[0].text

    errors = {
        "unknown collection": ("search_documents", {"query": "x", "collection": "work"}),
        "top_k too big": ("search_documents", {"query": "x", "top_k": 10_000}),
        "missing query": ("search_documents", {}),
        "wrong type": ("search_documents", {"query": "x", "top_k": "many"}),
        "bad preset": ("ask", {"question": "x", "preset": "turbo"}),
        "bad passage ref": ("get_passage", {"ref": "https://example.com"}),
        "no such chunk": ("get_passage", {"ref": 987654321}),
        "outside roots": ("ingest_paths", {"paths": ["/etc/passwd"]}),
    }
    messages = {}
    for case, (name, arguments) in errors.items():
        result = await session.call_tool(name, arguments)
        assert result.is_error, case
        messages[case] = result.content[0].text
    assert "collection" in messages["unknown collection"]
    assert "collection" in messages["unknown collection"]
    return {"documents": documents, "hits": hits, "errors": messages}
