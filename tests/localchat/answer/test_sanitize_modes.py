"""Markup stripping and answer-mode resolution."""

from __future__ import annotations

import pytest

from localchat.answer.modes import BUNDLED_AUTO, check_mode, resolve_mode
from localchat.answer.sanitize import strip_markup
from localchat.config import ModelSettings
from localchat.errors import InvalidRequestError


def test_prompt_tags_and_invented_html_are_removed():
    text = '<source id="7" from="go.md, page 1">GOGO is the IR.</script> <|im_end|>Done.'
    assert strip_markup(text, ["GOGO is the IR."]) == "GOGO is the IR. Done."


def test_a_tag_the_documents_hold_is_kept():
    assert strip_markup("Use <br> here.", ["HTML has <br> tags."]) == "Use <br> here."


def test_echoed_prompt_labels_are_removed():
    assert strip_markup("Question: GOGO is the IR.", []) == "GOGO is the IR."


def test_auto_is_generative_for_a_chosen_model_and_measured_for_the_bundled_one():
    assert resolve_mode(None, "auto", ModelSettings()) == BUNDLED_AUTO
    assert resolve_mode(None, "auto", ModelSettings(generation_path="/m/big.gguf")) == "generative"
    upstream = ModelSettings(upstream_base_url="http://127.0.0.1:11434/v1")
    assert resolve_mode("auto", "extractive", upstream) == "generative"
    assert resolve_mode("extractive", "generative", upstream) == "extractive"
    assert resolve_mode(None, "generative", ModelSettings()) == "generative"


def test_an_unknown_mode_is_a_clear_error():
    with pytest.raises(InvalidRequestError, match="answer_mode 'fancy'") as caught:
        check_mode("fancy")
    assert caught.value.param == "answer_mode"
