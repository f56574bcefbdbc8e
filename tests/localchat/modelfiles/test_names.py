"""The model-name grammar: localchat[:preset][@model] and bare chat model names."""

from __future__ import annotations

import re

import pytest

from localchat.errors import ModelNotFoundError
from localchat.modelfiles.names import ModelRef, listed_names, resolve

ACTIVE, OTHERS = "SmolLM2", ["qwen2.5:1.5b", "SmolLM2"]


@pytest.mark.parametrize(
    ("name", "ref"),
    [
        ("localchat", ModelRef("active")),
        ("localchat:fast", ModelRef("fast")),
        ("localchat@qwen2.5:1.5b", ModelRef("active", "qwen2.5:1.5b")),
        ("localchat:balanced@qwen2.5:1.5b", ModelRef("balanced", "qwen2.5:1.5b")),
        ("localchat:accurate@SmolLM2", ModelRef("accurate")),  # the active one: no override
        ("qwen2.5:1.5b", ModelRef(None, "qwen2.5:1.5b")),
        ("SmolLM2", ModelRef(None)),
    ],
)
def test_names_resolve(name, ref):
    assert resolve(name, ACTIVE, OTHERS) == ref


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("gpt-4o", "model 'gpt-4o'"),
        ("localchat:turbo", "unknown preset 'turbo'"),
        ("localchat@llama3:70b", "chat model 'llama3:70b'"),
        ("localchat:turbo@qwen2.5:1.5b", "unknown preset"),
    ],
)
def test_unknown_names_are_404_with_the_names_to_use(name, message):
    with pytest.raises(ModelNotFoundError) as info:
        resolve(name, ACTIVE, OTHERS)
    assert message in info.value.message
    assert info.value.status == 404 and info.value.param == "model"
    assert "GET /v1/models" in info.value.hint


def test_every_listed_name_resolves_and_lists_are_unique():
    names = listed_names(ACTIVE, OTHERS)
    assert names[:5] == [
        "localchat",
        "localchat:fast",
        "localchat:balanced",
        "localchat:accurate",
        "SmolLM2",
    ]
    assert "localchat:fast@qwen2.5:1.5b" in names and "qwen2.5:1.5b" in names
    assert "localchat@SmolLM2" not in names  # the active model needs no suffix
    assert len(names) == len(set(names)) == 4 + 1 + 5
    for name in names:
        resolve(name, ACTIVE, OTHERS)


# Ollama's model names: [namespace/]model[:tag], each part letters, digits, '_', '-', '.'
# (types/model/name.go; at most 80 characters a part). OpenAI clients pass any string.
OLLAMA_NAME = re.compile(
    r"(?:[A-Za-z0-9][\w.-]{0,79}/)?[A-Za-z0-9][\w.-]{0,79}(?::\w[\w.-]{0,79})?"
)


@pytest.mark.parametrize(
    ("name", "ref"),
    [
        ("localchat/papers", ModelRef("active", None, "papers")),
        ("localchat/Papers:fast", ModelRef("fast", None, "papers")),
        ("localchat:balanced/papers", ModelRef("balanced", None, "papers")),
        ("localchat/work-notes@qwen2.5:1.5b", ModelRef("active", "qwen2.5:1.5b", "work-notes")),
        ("localchat/all", ModelRef("active", None, "all")),
        ("localchat", ModelRef("active", None, None)),  # no collection named: the request decides
    ],
)
def test_a_collection_is_named_after_a_slash(name, ref):
    assert resolve(name, ACTIVE, OTHERS) == ref


@pytest.mark.parametrize("name", ["localchat/", "localchat/a b", "localchat/papers:turbo"])
def test_a_malformed_collection_name_is_a_404_on_the_model(name):
    with pytest.raises(ModelNotFoundError) as info:
        resolve(name, ACTIVE, OTHERS)
    assert info.value.param == "model"


def test_collections_are_listed_and_every_listed_name_is_valid_for_ollama_and_resolves():
    names = listed_names(ACTIVE, [], collections=["default", "papers", "work-notes"])
    assert "localchat/papers" in names and "localchat/work-notes" in names
    assert "localchat/default" not in names  # plain `localchat` is the default collection
    for name in [n for n in names if n.startswith("localchat/")]:
        assert OLLAMA_NAME.fullmatch(name) and OLLAMA_NAME.fullmatch(f"{name}:fast"), name
        assert resolve(name, ACTIVE, []).collection == name.removeprefix("localchat/")
