"""Explain my answer: numbered sources, the whole passage with the cited part, the breakdown."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from localchat.client import SourceEntry
from tests.tui.conftest import SIZE, answered, connected, wait_for
from tui.highlight import CITED_STYLE, cited_span, highlighted_passage, link_markers
from tui.screens.sources import SourcesScreen

PASSAGE = (
    "Nuts come in many kinds. The Boots self-locking nut is one piece and holds tight "
    "despite severe vibration. Elastic stop nuts have a fiber collar."
)


def test_the_cited_sentence_is_the_one_sharing_the_answers_words():
    answer = "It holds tight despite vibration [1]. Other text [2]."
    start, end = cited_span(PASSAGE, "It holds tight despite vibration [1].")
    assert PASSAGE[start:end].startswith("The Boots self-locking nut")
    content = highlighted_passage(PASSAGE, answer, 1, "vibration")
    styled = [(span.start, span.end) for span in content.spans if span.style == CITED_STYLE]
    assert styled == [(start, end)]
    assert content.plain == PASSAGE  # the whole passage, nothing cut


def test_an_unrelated_citation_highlights_nothing():
    assert cited_span(PASSAGE, "Goroutines are cheap [3].") is None


def test_only_known_markers_become_links():
    assert link_markers("A [1] B [9] C [x]", {1}) == "A [\\[1\\]](source:1) B [9] C [x]"


async def test_sources_screen_shows_breakdown_and_digits_jump(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await answered(pilot, "What holds tight despite vibration? goroutines")
        assert len(answer.sources) >= 2
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        screen = app.screen
        assert screen.query_one(OptionList).option_count == len(answer.sources)
        breakdown = str(screen.query_one("#source-breakdown", Static).render())
        first: SourceEntry = answer.sources[0]
        assert f"BM25 #{first.bm25_rank}" in breakdown and "cosine" in breakdown
        assert "fused" in breakdown and first.filename in breakdown
        passage = str(screen.query_one("#passage", Static).render())
        assert "self-locking" in passage and "fiber locking collar" in passage  # whole text
        await pilot.press("2")
        assert screen.selected == 2
        passage = str(screen.query_one("#passage", Static).render())
        assert passage.strip() == " ".join(answer.sources[1].text.split()) or "Go" in passage
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SourcesScreen))


async def test_hostile_passage_text_is_shown_inert(server, make_app, tmp_path):
    evil = tmp_path / "evil.md"
    prose = "Vibration secrets are kept in this long and otherwise ordinary paragraph. " * 8
    evil.write_text(
        f"{prose}\x1b[2J\x1b]52;c;Y2xpcA==\x07 [@click=app.quit]click[/] here.\n",
        encoding="utf-8",
    )
    report = server.runtime.library.ingest([evil])
    assert report.failed == 0
    server.generator._replies = ["Vibration secrets are here [1]."]
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await answered(pilot, "vibration secrets")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        index = next(s.index for s in answer.sources if s.filename == "evil.md")
        await pilot.press(str(index))
        passage = str(app.screen.query_one("#passage", Static).render())
        assert "\x1b" not in passage and "\x07" not in passage
        assert "[@click=app.quit]click[/]" in passage  # shown as text, not run as markup
        assert app.is_running


def test_the_servers_quote_is_highlighted_exactly():
    from localchat.client.types import Quote
    from tui.screens.sources import quote_span, quoted_passage

    start = PASSAGE.index("Elastic stop nuts")
    quote = Quote(start, len(PASSAGE), PASSAGE[start:])
    source = SourceEntry(index=2, text=PASSAGE, quote=quote)
    # The answer's words match another sentence: the exact quote wins over the guess.
    content = quoted_passage(source, "It holds tight [2].", "")
    styled = [(span.start, span.end) for span in content.spans if span.style == CITED_STYLE]
    assert (start, len(PASSAGE)) in styled
    assert quote_span(SourceEntry(index=1, text=PASSAGE), PASSAGE) is None
    shifted = SourceEntry(index=1, text=PASSAGE, quote=Quote(0, 5, "Elastic stop nuts"))
    assert quote_span(shifted, PASSAGE) == (start, start + len("Elastic stop nuts"))
