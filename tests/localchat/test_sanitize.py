"""The one terminal sanitiser (CLI and TUI): escapes, controls and bidi overrides never shown."""

from __future__ import annotations

from localchat.sanitize import StreamCleaner, clean, one_line


def test_clean_strips_escapes_and_controls():
    assert clean("a\x1b]0;title\x07b\x1b[2Jc\x00d\ne") == "abcd\ne"
    assert clean("tab\tkept\r\nline") == "tab\tkept\nline"


def test_bidi_overrides_and_device_control_strings_are_removed():
    # "Trojan Source": U+202E reverses what follows; U+2066..2069 isolate it.
    assert clean("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert clean("\u2066a\u2069b\u202ac") == "abc"
    assert clean("x\x1bPq#0;2;0;0;0\x1b\\y") == "xy"  # DCS (sixel) string
    assert clean("8-bit\x9b31mCSI") == "8-bit31mCSI"


def test_escape_sequences_split_across_pieces_are_removed_whole():
    cleaner = StreamCleaner()
    pieces = ["red \x1b", "[31", "mtext\x1b[0", "m done", " \x1b"]
    out = "".join(cleaner.feed(p) for p in pieces) + cleaner.finish()
    assert out == "red text done "
    assert cleaner.feed("plain") == "plain", "plain text is never held back"


def test_a_split_device_control_string_and_bidi_in_a_stream():
    cleaner = StreamCleaner()
    pieces = ["a\x1bP", "q#0;2", "\x1b\\b\u202e", "c"]
    assert "".join(cleaner.feed(p) for p in pieces) + cleaner.finish() == "abc"


def test_an_endless_sequence_is_not_held_forever():
    cleaner = StreamCleaner()
    assert cleaner.feed("\x1b]" + "x" * 100) == ""  # cleaned as an OSC without terminator
    assert cleaner.feed("after") == "after"


def test_one_line_flattens_and_cuts():
    assert one_line("a\n\n b\t\x1b[1mc") == "a b c"
    assert one_line("abcdefgh", limit=5) == "abcd…"
