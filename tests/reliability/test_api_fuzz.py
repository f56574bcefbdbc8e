"""Property-based fuzzing of every HTTP route: thousands of hostile requests, zero 5xx, every
error in OpenAI's envelope (never 422), and the server still healthy afterwards."""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from localchat.config import load_settings
from localchat.generation.scripted import ScriptedGenerator
from server.app import create_app
from tests.server.conftest import BASE_URL
from tests.server.harness import fake_runtime, write_docs

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same cases in every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MAX_BODY = 64 * 1024


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    allowed = root / "allowed"
    write_docs(allowed)
    base = load_settings(data_dir=root / "data", environ={})
    server = msgspec.structs.replace(
        base.server, max_body_bytes=MAX_BODY, allowed_roots=(str(allowed),)
    )
    config = msgspec.structs.replace(base, server=server)
    runtime = fake_runtime(config, ScriptedGenerator(["Nuts hold tight [1]. Also [9]."]))
    runtime.library.ingest(write_docs(root / "docs"))
    with TestClient(create_app(config, resources=runtime), base_url=BASE_URL) as client:
        yield client, allowed
    runtime.close()


@pytest.fixture
def client(fuzz_env):
    return fuzz_env[0]


def check(response) -> None:
    """No server fault; a refusal is a 4xx in the OpenAI error envelope, never 422."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert response.status_code != 422, response.text[:500]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["message"], str) and error["message"]
        assert "Traceback" not in response.text


# -- strategies ------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
models = st.sampled_from(
    ["localchat", "localchat:fast", "localchat:accurate", "scripted", "gpt-4", "", "../x"]
) | st.text(max_size=20)
roles = st.sampled_from(["user", "assistant", "system", "tool", "developer", "bot", ""])
content = (
    st.text(max_size=200)
    | st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["text", "image_url", "x"]), "text": st.text(max_size=30)}
        ),
        max_size=3,
    )
    | json_values
)
message = (
    st.fixed_dictionaries(
        {"role": roles, "content": content}, optional={"name": st.text(max_size=10)}
    )
    | json_values
)
chat_bodies = st.fixed_dictionaries(
    {"model": models, "messages": st.lists(message, max_size=6)},
    optional={
        "stream": st.booleans() | json_values,
        "max_tokens": st.integers(min_value=-5, max_value=10**18) | json_values,
        "temperature": st.floats(min_value=-1, max_value=3, allow_nan=False) | json_values,
        "top_p": st.floats(allow_nan=False, allow_infinity=False),
        "n": st.integers(-1, 3),
        "seed": st.integers(-(2**70), 2**70),
        "stop": st.lists(st.text(max_size=5), max_size=6) | st.text(max_size=5),
        "tools": json_values,
        "response_format": json_values,
        "stream_options": json_values,
        "preset": st.text(max_size=10),
    },
)
post_routes = st.sampled_from(
    [
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/api/search",
        "/api/config/rag",
        "/api/documents",
    ]
)
raw_bodies = (
    st.binary(max_size=300)  # invalid UTF-8, truncated JSON, garbage
    | st.integers(1, 50_000).map(lambda depth: b"[" * depth + b"]" * depth)  # deep nesting
    | st.integers(1, 50_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth)
    | st.just(b"{" + b'"x": "' + b"a" * (MAX_BODY + 10) + b'"}')  # over the body limit
)


# -- tests -----------------------------------------------------------------------------------


@FUZZ
@given(body=chat_bodies)
def test_chat_completions_fuzz(client, body):
    check(client.post("/v1/chat/completions", json=body))


@settings(FUZZ, max_examples=200)
@given(
    body=json_values,
    route=post_routes,
)
def test_any_json_to_any_post_route(client, body, route):
    check(client.post(route, json=body))


@settings(FUZZ, max_examples=300)
@given(
    body=raw_bodies,
    route=post_routes,
    content_type=st.sampled_from(
        [
            "application/json",
            "text/plain",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "image/png",
            "multipart/form-data; boundary=x",
        ]
    ),
)
def test_raw_bytes_to_any_post_route(client, body, route, content_type):
    check(client.post(route, content=body, headers={"content-type": content_type}))


@settings(FUZZ, max_examples=300)
@given(
    completion=st.fixed_dictionaries(
        {"model": models, "prompt": st.text(max_size=100) | json_values},
        optional={
            "max_tokens": st.integers(-3, 10**18),
            "stream": st.booleans(),
            "echo": st.booleans(),
            "stop": json_values,
        },
    ),
    embedding=st.fixed_dictionaries(
        {
            "model": models,
            "input": st.text(max_size=100)
            | st.lists(st.text(max_size=50), max_size=5)
            | json_values,
        },
        optional={
            "encoding_format": st.sampled_from(["float", "base64", "hex"]),
            "dimensions": st.integers(-2, 10**9),
        },
    ),
    search=st.fixed_dictionaries(
        {"query": st.text(max_size=300)},
        optional={
            "preset": st.text(max_size=10) | st.sampled_from(["fast", "balanced"]),
            "mode": st.sampled_from(["hybrid", "bm25", "vector", "x"]),
            "explain": st.booleans(),
        },
    ),
)
def test_completions_embeddings_and_search_fuzz(client, completion, embedding, search):
    check(client.post("/v1/completions", json=completion))
    check(client.post("/v1/embeddings", json=embedding))
    check(client.post("/api/search", json=search))


@settings(FUZZ, max_examples=200)
@given(
    rag=st.fixed_dictionaries(
        {},
        optional={
            "preset": st.sampled_from(["fast", "balanced", "accurate", "turbo"]) | json_values,
            "chunk_size": st.integers(-10, 10**9) | json_values,
            "chunk_overlap": st.integers(-10, 10**9),
            "top_k": st.integers(-10, 10**6),
            "min_similarity": st.floats(allow_nan=False, allow_infinity=False) | json_values,
        },
    ),
)
def test_rag_config_fuzz(client, rag):
    check(client.post("/api/config/rag", json=rag))
    check(client.get("/api/config/rag"))


@settings(FUZZ, max_examples=300)
@given(
    segment=st.text(max_size=30) | st.integers(-(2**70), 2**70).map(str),
    method_route=st.sampled_from(
        [
            ("GET", "/v1/models/{}"),
            ("GET", "/api/documents/{}"),
            ("DELETE", "/api/documents/{}"),
            ("GET", "/api/jobs/{}"),
            ("GET", "/{}"),
            ("PUT", "/api/documents/{}"),
            ("GET", "/api/health/{}"),
        ]
    ),
)
def test_path_parameters_fuzz(client, segment, method_route):
    from urllib.parse import quote

    method, template = method_route
    check(client.request(method, template.format(quote(segment, safe=""))))


@settings(FUZZ, max_examples=150)
@given(
    paths=st.lists(
        st.text(max_size=40)
        | st.sampled_from(["/etc/passwd", "..", "/", "~", "../../etc", "\x00"]),
        max_size=4,
    )
)
def test_json_path_ingestion_fuzz(fuzz_env, paths):
    client, allowed = fuzz_env
    response = client.post("/api/documents", json={"paths": [*paths, str(allowed / ".." / "x")]})
    check(response)
    assert response.status_code in (400, 403, 404), response.text  # `..` is always refused


def test_server_is_healthy_after_the_fuzzing(client):
    """Runs last in this module: the same client answered every case above."""
    assert client.get("/api/health/deep").status_code == 200
    for route in ("/v1/models", "/api/documents", "/api/jobs", "/metrics", "/api/config/rag"):
        assert client.get(route).status_code == 200, route
    reply = client.post(
        "/v1/chat/completions",
        json={"model": "localchat", "messages": [{"role": "user", "content": "Which nut holds?"}]},
    )
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]
    metrics = client.get("/metrics").text
    assert 'status="500"' not in metrics and 'status="503"' not in metrics
    body = json.dumps({"model": "localchat", "messages": [{"role": "user", "content": "hi"}]})
    assert client.post("/v1/chat/completions", content=body).status_code == 200
