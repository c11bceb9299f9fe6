"""What a chat client reads of an answer: the text, its sources, cut where the client asked.

Pure functions, so the OpenAI-compatible route only moves bytes. Tokens are counted as words
and punctuation marks: groundgraph's answers are mostly quoted document text, not a model's
tokens, and one count for every generator keeps `max_tokens` and `usage` comparable.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from groundgraph.retrieval.base import Answer

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*\[\d+\])*\s+")
SOURCES_HEADING = "\n\nSources:"


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _source_lines(answer: Answer) -> list[str]:
    return [
        f"[{c.marker}] {c.document}, {c.where + ', ' if c.where else ''}"
        f'characters {c.start}–{c.end}: "{c.text}"'
        for c in answer.citations
    ]


def reply_pieces(answer: Answer) -> Iterator[str]:
    """The reply as a stream sends it: sentence by sentence, then a line per source."""
    yield from sentences(answer.text)
    yield from source_pieces(answer)


def source_pieces(answer: Answer) -> Iterator[str]:
    """The sources under their heading, a line a piece; nothing without citations."""
    lines = _source_lines(answer)
    if lines:
        yield SOURCES_HEADING
        for line in lines:
            yield "\n" + line


def sentences(text: str) -> Iterator[str]:
    """The text in pieces that each end after a sentence (and its citation markers)."""
    start = 0
    for end in _SENTENCE_END.finditer(text):
        yield text[start : end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def earlier_text(content: str) -> str:
    """An earlier assistant turn without its sources: the quotes would name every person
    the evidence mentions, not the one the answer was about."""
    return content.split(SOURCES_HEADING, 1)[0]


@dataclass
class ReplyLimit:
    """Cuts a reply at the client's first stop string or after `max_tokens` tokens, piece by
    piece as it is sent.

    Attributes:
        finish_reason: `stop` until the token budget cuts the reply, then `length`.
        done: nothing more may be sent.
    """

    stop: Sequence[str] = ()
    max_tokens: int | None = None
    sent: str = ""
    finish_reason: str = "stop"
    done: bool = False

    def take(self, piece: str) -> str:
        """The part of `piece` that may still be sent."""
        if self.done:
            return ""
        text = self.sent + piece
        stops = [found for s in self.stop if s and (found := text.find(s)) >= 0]
        if stops:
            text, self.done = text[: max(min(stops), len(self.sent))], True
        if self.max_tokens is not None:
            tokens = list(_TOKEN.finditer(text))
            if len(tokens) > self.max_tokens:
                last = tokens[self.max_tokens - 1] if self.max_tokens else None
                text = text[: last.end() if last else 0]
                self.done, self.finish_reason = True, "length"
        allowed = text[len(self.sent) :]
        self.sent = text
        return allowed
