"""The answer widget on its own: phases, the sources footer, citation links, stop and failure."""

from __future__ import annotations

from textual.widgets import Markdown, Static

from localchat.errors import NotReadyError
from tests.tui.conftest import wait_for
from tests.tui.fakes import WidgetHost, source
from tui.widgets.messages import AnswerMessage

SIZE = (100, 30)
SOURCES = [
    source(1, "nuts.md", "The Boots nut holds tight despite severe vibration."),
    source(2, "go.md", "Go has goroutines.", page=0),
    source(3, "nuts.md", "Elastic stop nuts have a fiber collar.", page=2),
    source(4, "bolts.md", "Bolts are threaded."),
    source(5, "washers.md", "Washers spread the load."),
]


class Host(WidgetHost):
    """Records the OpenSources messages an answer posts."""

    def __init__(self, *widgets) -> None:
        super().__init__(*widgets)
        self.opened: list[int | None] = []

    def on_answer_message_open_sources(self, event: AnswerMessage.OpenSources) -> None:
        self.opened.append(event.index)


def status(answer: AnswerMessage) -> Static:
    return answer.query_one(".answer-status", Static)


def footer(answer: AnswerMessage) -> str:
    return str(answer.query_one(".answer-sources", Static).render())


async def finished(pilot, answer: AnswerMessage) -> None:
    """Until the last tick drew the end of the answer (its stream is then closed)."""
    await wait_for(pilot, lambda: answer._stream is None and not answer._dirty)


async def streamed(pilot, answer, sources, text: str, reason: str = "stop") -> str:
    """Feed one whole answer as the chat screen does; the footer once it is drawn."""
    answer.set_sources(sources)
    answer.append(text)
    answer.finish(reason)
    await finished(pilot, answer)
    return footer(answer)


async def test_phases_from_waiting_to_done_with_linked_citations():
    answer = AnswerMessage("What holds tight?", "balanced")
    async with Host(answer).run_test(size=SIZE) as pilot:
        assert answer.phase == "waiting" and answer.has_class("-waiting")
        assert str(status(answer).render()).startswith("Searching your documents")
        assert not answer.query_one(".answer-sources").display  # nothing to show yet
        answer.set_sources(SOURCES[:2])
        assert str(status(answer).render()) == "Reading 2 passages and writing…"
        answer.append("The Boots nut holds tight [1]")
        assert answer.phase == "streaming"
        await wait_for(pilot, lambda: "holds tight" in answer.query_one(Markdown).source)
        assert not status(answer).display  # the text itself shows progress now
        answer.append(". Go has goroutines [2]. Not a source [9].")
        answer.finish("stop")
        await finished(pilot, answer)
        assert answer.phase == "done" and not answer.has_class("-waiting")
        source_md = answer.query_one(Markdown).source
        assert "(source:1)" in source_md and "(source:2)" in source_md
        assert "(source:9)" not in source_md and "[9]" in source_md  # no such source: no link
        shown = footer(answer)
        assert shown.startswith("nuts.md: [1] p.1 0.80")
        assert "go.md: [2] 0.70" in shown  # no page: none shown
        assert shown.endswith("ctrl+s explain")


async def test_the_footer_lists_cited_sources_by_file_and_counts_the_rest():
    answer = AnswerMessage("q", "balanced")
    async with Host(answer).run_test(size=SIZE) as pilot:
        shown = await streamed(pilot, answer, SOURCES, "Tight [1]. Collar [3].")
        # One file name for the two cited passages of nuts.md; the three uncited are counted.
        assert shown.startswith("nuts.md: [1] p.1 0.80  [3] p.2 0.60")
        assert "go.md" not in shown and "+3 more" in shown


async def test_an_answer_citing_nothing_shows_its_first_three_sources():
    answer = AnswerMessage("q", "balanced")
    async with Host(answer).run_test(size=SIZE) as pilot:
        shown = await streamed(pilot, answer, SOURCES, "An answer without markers.")
        assert "[1]" in shown and "[2]" in shown and "[3]" in shown and "[4]" not in shown
        assert "+2 more" in shown


async def test_no_sources_is_said_in_the_footer():
    answer = AnswerMessage("zebra", "balanced")
    async with Host(answer).run_test(size=SIZE) as pilot:
        answer.set_sources([])
        assert str(status(answer).render()) == "Writing…"
        answer.append("I found nothing about that.")
        answer.finish("stop")
        await finished(pilot, answer)
        assert footer(answer) == "no matching passages in your library"


async def test_a_stopped_answer_keeps_its_text_and_says_stopped():
    answer = AnswerMessage("q", "balanced")
    async with Host(answer).run_test(size=SIZE) as pilot:
        await streamed(pilot, answer, SOURCES[:1], "The Boots nut holds [1]", "cancelled")
        assert answer.phase == "stopped" and answer.finish_reason == "cancelled"
        assert answer.text == "The Boots nut holds [1]"
        assert footer(answer).startswith("stopped · nuts.md: [1]")


async def test_a_failed_answer_shows_a_readable_error_and_no_footer():
    answer = AnswerMessage("q", "balanced")
    error = NotReadyError("the answer model is still loading", hint="try again in a moment")
    async with Host(answer).run_test(size=SIZE) as pilot:
        answer.fail(error)
        await finished(pilot, answer)
        assert answer.phase == "failed" and answer.has_class("-failed")
        shown = str(status(answer).render())
        assert status(answer).display and shown.startswith("✗ ")
        # What happened and what to do, as one sentence each, with the docs pointer.
        assert shown == (
            "✗ The answer model is still loading. Try again in a moment. "
            "See docs/troubleshooting.md#not-ready"
        )
        assert not answer.query_one(".answer-sources").display


async def test_escape_sequences_and_controls_in_deltas_never_reach_the_widget():
    answer = AnswerMessage("q", "balanced")
    async with Host(answer).run_test(size=SIZE) as pilot:
        answer.set_sources(SOURCES[:1])
        for piece in ["Holds \x1b[31mti", "ght\x1b[0m \x1b]0;pwned", "\x07now [1]."]:
            answer.append(piece)
        answer.finish("stop")
        await finished(pilot, answer)
        assert answer.text == "Holds tight now [1]."
        assert "\x1b" not in answer.query_one(Markdown).source


async def test_a_reopened_answer_is_drawn_whole_at_once():
    answer = AnswerMessage("q", "balanced", text="Saved answer [2].", sources=SOURCES[:2])
    async with Host(answer).run_test(size=SIZE):
        assert answer.phase == "done" and not answer.live
        assert "(source:2)" in answer.query_one(Markdown).source
        assert footer(answer).startswith("go.md: [2]")


async def test_citation_links_digits_and_enter_open_sources():
    answer = AnswerMessage("q", "balanced", text="Tight [1]. Go [2].", sources=SOURCES[:2])
    host = Host(answer)
    async with host.run_test(size=SIZE) as pilot:
        markdown = answer.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "source:2"))
        markdown.post_message(Markdown.LinkClicked(markdown, "https://example.com"))  # ignored
        await wait_for(pilot, lambda: host.opened == [2])
        answer.focus()
        await pilot.press("1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: host.opened == [2, 1, None])
        await pilot.press("9")  # no such source: said so, nothing opens
        await wait_for(pilot, lambda: host._notifications)
        assert host.opened == [2, 1, None]
        assert any("no source [9]" in str(n.message) for n in host._notifications)
