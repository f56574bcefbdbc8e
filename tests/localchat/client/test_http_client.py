"""The HTTP client's failure paths: transport errors, bad streams, unreadable uploads — each a
LocalChatError saying what to do, never an httpx exception."""

from __future__ import annotations

import httpx
import pytest

from localchat import errors
from localchat.client import LocalChatClient, error_from_response


def client_with(handler) -> LocalChatClient:
    client = LocalChatClient("http://127.0.0.1:9/", api_key="k")
    client._http = httpx.AsyncClient(
        base_url=client.base_url, transport=httpx.MockTransport(handler)
    )
    return client


async def test_a_timeout_is_not_ready_and_a_refused_connection_is_unreachable():
    def timing_out(request):
        raise httpx.ReadTimeout("slow", request=request)

    def refusing(request):
        raise httpx.ConnectError("refused", request=request)

    client = client_with(timing_out)
    with pytest.raises(errors.NotReadyError, match="did not answer in time"):
        await client.models()
    await client.aclose()
    client = client_with(refusing)
    with pytest.raises(errors.ServerUnreachableError) as caught:
        await client.documents()
    assert "http://127.0.0.1:9" in caught.value.message and "ConnectError" in caught.value.message
    assert "localchat serve" in caught.value.hint
    await client.aclose()


async def test_a_failing_health_report_is_returned_not_raised():
    def unhealthy(request):
        assert request.url.path == "/api/health/deep"
        return httpx.Response(503, json={"status": "fail", "components": {}})

    client = client_with(unhealthy)
    assert (await client.health("deep"))["status"] == "fail"
    await client.aclose()


async def test_an_unreadable_upload_names_the_file(tmp_path):
    readable = tmp_path / "a.md"
    readable.write_text("# A\n")
    client = client_with(lambda request: httpx.Response(500))
    with pytest.raises(errors.InvalidRequestError) as caught:
        await client.upload([readable, tmp_path / "missing.md"])
    assert "missing.md" in caught.value.message and "exists" in caught.value.hint
    await client.aclose()


async def test_an_upload_is_sent_as_multipart_and_returns_the_job(tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("# A\n")
    seen = {}

    def accept(request):
        seen["body"] = request.content
        return httpx.Response(202, json={"job": {"id": "j1", "kind": "ingest", "status": "queued"}})

    client = client_with(accept)
    job = await client.upload([doc])
    assert job.id == "j1" and job.status == "queued"
    assert b'filename="a.md"' in seen["body"] and b"# A" in seen["body"]
    await client.aclose()


async def test_stream_errors_become_localchat_errors():
    def bad_json(request):
        return httpx.Response(200, text='data: {"choices": [\n\n')

    def refused(request):
        return httpx.Response(
            400, json={"error": {"code": "context_length_exceeded", "message": "too long"}}
        )

    def skip_comments(request):
        body = (
            ': keep-alive\n\ndata: {"choices": [{"delta": {"content": "Hi"}}]}\n\ndata: [DONE]\n\n'
        )
        return httpx.Response(200, text=body)

    client = client_with(bad_json)
    with pytest.raises(errors.LocalChatError, match="not JSON"):
        [event async for event in client.chat([{"role": "user", "content": "hi"}])]
    client = client_with(refused)
    with pytest.raises(errors.ContextOverflowError, match="too long"):
        [event async for event in client.chat([{"role": "user", "content": "hi"}])]
    client = client_with(skip_comments)
    events = [event async for event in client.chat([{"role": "user", "content": "hi"}])]
    assert [(e.kind, e.text) for e in events] == [("delta", "Hi")]
    await client.aclose()


def test_an_error_envelope_that_is_not_an_object_still_reads():
    error = error_from_response(502, b'{"error": "bad gateway upstream"}')
    assert error.message == "bad gateway upstream"
    assert "server log" in error.hint  # a 5xx without a code points at the log
