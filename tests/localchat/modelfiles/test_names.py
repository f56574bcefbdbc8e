"""The model-name grammar: localchat[:preset][@model] and bare chat model names."""

from __future__ import annotations

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
