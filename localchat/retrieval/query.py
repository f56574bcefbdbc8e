"""Turn free user text into a safe, fast FTS5 query (user text never reaches FTS5 syntax).

FTS5 scores every row an OR query matches before it can sort, so a query's cost grows with
the rows its terms match, not with the rows it returns. Words that occur in a large share of
chunks add little to BM25 (low IDF) but most of that cost, so the planner keeps the rarest
words while their document frequencies fit a budget of rows (docs/benchmarks.md measures it).
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Mapping

# Words so common that they only slow an OR query down and add noise to BM25.
_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your
yours yourself yourselves what's how's it's i'm don't doesn't isn't aren't can't whats
hows tell please show give explain describe
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
MAX_TERMS = 24
# The tokenizer of chunks_fts (store/schema.py); the stemmer must split words the same way.
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# Rows an OR query may match before frequent words are left out of the match (and only
# rescored on the top rows): 2% of the chunks, never fewer than MIN_BUDGET_ROWS, so small
# libraries keep every word. Measured on SciFact (BM25 alone, nDCG@10): every word 0.678,
# 2% with rescoring 0.677, 1% 0.654; cost grows with the rows matched (docs/benchmarks.md).
BUDGET_FRACTION = 0.02
MIN_BUDGET_ROWS = 2_000


def query_terms(text: str) -> list[str]:
    """Lower-cased content words of text, in order, without duplicates or stop words."""
    seen: dict[str, None] = {}
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    content = [w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]
    for word in content or words:
        seen.setdefault(word.split("'")[0], None)
    return [w for w in seen if w][:MAX_TERMS]


def fts_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression OR-ing the terms, each quoted so no syntax can leak in."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def row_budget(total_rows: int) -> int:
    return max(MIN_BUDGET_ROWS, int(BUDGET_FRACTION * total_rows))


def select_terms(
    words: Iterable[str],
    stems: Mapping[str, tuple[str, ...]],
    doc_freq: Mapping[str, int],
    budget: int,
) -> list[str]:
    """The words worth an OR query, in their original order.

    A word's rows are estimated by its rarest stem (a multi-token word is matched as a
    phrase). Words matching nothing are left out, as are repeats of an already chosen stem
    set; then words are taken rarest first while the summed rows stay within `budget`. The
    rarest word is always kept, so a query of common words still ranks something.
    """
    rows: dict[str, int] = {}
    seen: set[tuple[str, ...]] = set()
    for word in words:
        key = stems.get(word, ())
        count = min((doc_freq.get(stem, 0) for stem in key), default=0)
        if count > 0 and key not in seen:
            seen.add(key)
            rows[word] = count
    chosen: set[str] = set()
    spent = 0
    for word in sorted(rows, key=rows.__getitem__):
        if chosen and spent + rows[word] > budget:
            break
        chosen.add(word)
        spent += rows[word]
    return [word for word in rows if word in chosen]


class Stemmer:
    """Splits and stems words exactly as chunks_fts does, by asking SQLite itself.

    An in-memory FTS5 table with the same tokenizer holds the words; its fts5vocab
    "instance" view lists the tokens each became. Results are memoised; one lock guards the
    private connection, so the stemmer is safe to share between threads.
    """

    def __init__(self, tokenizer: str = FTS_TOKENIZER, memo_size: int = 50_000) -> None:
        if "'" in tokenizer:
            raise ValueError("tokenizer must not contain quotes")
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize='{tokenizer}')")
        self._conn.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, 'instance')")
        self._lock = threading.Lock()
        self._memo: dict[str, tuple[str, ...]] = {}
        self._memo_size = memo_size

    def stems(self, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
        wanted = list(dict.fromkeys(words))
        known = {word: self._memo[word] for word in wanted if word in self._memo}
        missing = [word for word in wanted if word not in known]
        if not missing:
            return known
        found = self._tokenize(missing)
        if len(self._memo) + len(found) > self._memo_size:
            self._memo.clear()
        self._memo.update(found)
        return {word: known[word] if word in known else found[word] for word in wanted}

    def _tokenize(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        tokens: dict[int, list[str]] = {}
        with self._lock:
            self._conn.execute("DELETE FROM words")
            self._conn.executemany(
                "INSERT INTO words(rowid, word) VALUES (?, ?)", enumerate(words, start=1)
            )
            for row, token in self._conn.execute(
                "SELECT doc, term FROM tokens ORDER BY doc, offset"
            ):
                tokens.setdefault(row, []).append(token)
        return {word: tuple(tokens.get(row, ())) for row, word in enumerate(words, start=1)}

    def close(self) -> None:
        with self._lock:
            self._conn.close()


# -- rescoring: give the left-out frequent words their share of BM25 on the top rows ---------

K1 = 1.2  # FTS5's bm25() constants (fts5_aux.c)
B = 0.75
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def bm25_idf(doc_freq: int, rows: int) -> float:
    """FTS5's IDF: log((N - n + 0.5) / (n + 0.5)), floored at 1e-6 as FTS5 floors it."""
    idf = math.log((rows - doc_freq + 0.5) / (doc_freq + 0.5)) if rows else 0.0
    return idf if idf > 0 else 1e-6


def rescore(
    hits: list[tuple[int, float]],
    texts: Mapping[int, str],
    doc_tokens: Mapping[int, int],
    stems: list[str],
    doc_freq: Mapping[str, int],
    rows: int,
    avg_tokens: float,
    stemmer: Stemmer,
) -> list[tuple[int, float]]:
    """Add each left-out stem's BM25 term (FTS5's formula) to the hits' scores; re-sort.

    The hits already hold FTS5's score for the matched words, so the sum is the score the
    full query gives these rows. Occurrences are found by searching for the stem's prefix
    (Porter only rewrites a stem's last letter) and confirmed by the stemmer, which keeps
    the work in the regex engine instead of stemming every word of every hit.
    """
    stems = [stem for stem in stems if stem]
    if not stems or not hits or avg_tokens <= 0:
        return hits
    prefixes = sorted({stem[:-1] if len(stem) > 2 else stem for stem in stems}, key=len)
    pattern = re.compile("(?:" + "|".join(map(re.escape, reversed(prefixes))) + r")\w*")
    found = {chunk: _word_starts(pattern, texts.get(chunk, "").lower()) for chunk, _ in hits}
    stem_of = stemmer.stems(w for counts in found.values() for w in counts)
    idf = {stem: bm25_idf(doc_freq.get(stem, 0), rows) for stem in stems}
    rescored = []
    for chunk, score in hits:
        freq = Counter()
        for word, count in found[chunk].items():
            if len(stem_of[word]) == 1 and stem_of[word][0] in idf:
                freq[stem_of[word][0]] += count
        norm = K1 * (1 - B + B * doc_tokens.get(chunk, avg_tokens) / avg_tokens)
        for stem, count in freq.items():
            score += idf[stem] * count * (K1 + 1) / (count + norm)
        rescored.append((chunk, score))
    return sorted(rescored, key=lambda hit: (-hit[1], hit[0]))


def _word_starts(pattern: re.Pattern[str], text: str) -> Counter[str]:
    r"""Counts of pattern's matches that start a word, as r"\b" + pattern would find them.

    Without a leading \b (or a look-behind) the regex engine skips ahead to the prefixes'
    first letters instead of trying every position: a third less time on a query's top rows.
    The check before a match is \w's own definition (alphanumeric or underscore).
    """
    found: Counter[str] = Counter()
    for match in pattern.finditer(text):
        start = match.start()
        if start:
            before = text[start - 1]
            if before.isalnum() or before == "_":
                continue
        found[match.group()] += 1
    return found
