"""The sources view on its own: the server's quoted span highlighted, the list, digits, layout."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from tests.tui.conftest import wait_for
from tests.tui.fakes import Quote, WidgetHost, source
from tui.highlight import CITED_STYLE
from tui.screens.sources import SourcesScreen

PASSAGE = (
    "Nuts come in many kinds. The Boots self-locking nut is one piece and holds tight "
    "despite severe vibration. Elastic stop nuts have a fiber collar."
)
QUOTED = "Elastic stop nuts have a fiber collar."


def sources(quote: Quote | None):
    return [
        source(1, "go.md", "Go has goroutines. Channels connect them."),
        source(2, "nuts.md", PASSAGE, quote=quote, bm25_rank=1, cosine=0.42, fused=0.0325),
    ]


def cited_spans(screen: SourcesScreen) -> list[tuple[int, int]]:
    content = screen.query_one("#passage", Static).visual
    return [(s.start, s.end) for s in content.spans if s.style == CITED_STYLE]


async def open_sources(host: WidgetHost, screen: SourcesScreen, pilot) -> None:
    host.push_screen(screen)
    await wait_for(pilot, lambda: host.screen is screen and screen.query("#passage"))
    await pilot.pause()


async def test_the_quoted_span_is_highlighted_where_the_server_put_it():
    start = PASSAGE.index(QUOTED)
    quote = Quote(start, start + len(QUOTED), QUOTED)
    # The answer's words match the Boots sentence: the server's quote wins over that guess.
    screen = SourcesScreen(
        "What holds?", "It holds tight despite vibration [2].", sources(quote), 2
    )
    host = WidgetHost()
    async with host.run_test(size=(100, 30)) as pilot:
        await open_sources(host, screen, pilot)
        assert screen.selected == 2
        assert (start, start + len(QUOTED)) in cited_spans(screen)
        passage = screen.query_one("#passage", Static).visual
        assert passage.plain == PASSAGE  # the whole passage, nothing cut
        breakdown = str(screen.query_one("#source-breakdown", Static).render())
        assert (
            "BM25 #1" in breakdown and "cosine 0.420" in breakdown and "fused 0.0325" in breakdown
        )
        assert "vector —" in breakdown  # no vector rank: a dash, not None


async def test_without_a_quote_the_citing_sentence_is_found_by_its_words():
    screen = SourcesScreen("q", "It holds tight despite vibration [2].", sources(None), None)
    host = WidgetHost()
    async with host.run_test(size=(100, 30)) as pilot:
        await open_sources(host, screen, pilot)
        assert screen.selected == 2  # the first cited source, not the first listed
        ((start, end),) = cited_spans(screen)
        assert PASSAGE[start:end].startswith("The Boots self-locking nut")


async def test_digits_pick_a_source_and_an_unknown_one_is_said():
    screen = SourcesScreen("q", "Go [1]. Nuts [2].", sources(None), 1)
    host = WidgetHost()
    async with host.run_test(size=(100, 30)) as pilot:
        await open_sources(host, screen, pilot)
        assert "goroutines" in str(screen.query_one("#passage", Static).render())
        await pilot.press("2")
        assert screen.selected == 2
        assert "self-locking" in str(screen.query_one("#passage", Static).render())
        await pilot.press("7")
        await wait_for(pilot, lambda: host._notifications)
        assert screen.selected == 2
        assert any("no source [7]" in str(n.message) for n in host._notifications)


async def test_an_answer_without_sources_says_why():
    screen = SourcesScreen("zebra", "Nothing found.", [], None)
    host = WidgetHost()
    async with host.run_test(size=(100, 30)) as pilot:
        await open_sources(host, screen, pilot)
        shown = str(screen.query_one("#passage", Static).render())
        assert shown.startswith("This answer used no passages")


async def test_the_wide_sources_list_fills_its_column():
    screen = SourcesScreen("q", "Go [1]. Nuts [2].", sources(None), None)
    host = WidgetHost()
    async with host.run_test(size=(120, 40)) as pilot:
        await open_sources(host, screen, pilot)
        listing = screen.query_one(OptionList)
        body = screen.query_one("#sources-body")
        assert listing.option_count == 2
        assert listing.outer_size.height == body.outer_size.height  # not capped at 8 lines
