"""Questions that nest one relation in another, answered hop by hop: the inner question's
answer (the bridge), then the outer question asked about it. An outer question that nests
another relation around the bridge ("Who leads the team that maintains {bridge}?") is read as
two hops of its own, up to `HOPS` in all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.currency import newest_first
from groundgraph.retrieval.answering.reader import Reading
from groundgraph.retrieval.questions.nested import NestedQuestion, split_nested

if TYPE_CHECKING:
    from spacy.language import Language

# Inner answers tried as the bridge of a two-hop question, best bound first.
BRIDGES = 3
# Relations one question may nest: "Who leads the team that maintains the service that failed
# in INC-0412?" is three.
HOPS = 3


def read_hops(
    nlp: Language,
    nested: NestedQuestion,
    names: Sequence[str],
    read: Callable[[str], list[Reading]],
    deeper: int = HOPS - 2,
) -> list[Reading] | None:
    """The reading of each hop, the last first; None unless every hop is stated, or when the
    outer question asks nothing of the bridge (a split the parser got wrong). `read` answers
    one question with retrieval of its own; `names` are the whole question's."""
    if not nested.asks_of_bridge:
        return None
    inner = newest_first(read(nested.inner))
    # only readings as well bound and fitting as the best are bridges worth trying
    inner = [r for r in inner if _same_rank(r, inner[0])]
    for bridge in list(dict.fromkeys(r.value for r in inner))[:BRIDGES]:
        first = next(r for r in inner if r.value == bridge)
        outer = nested.outer.replace("{bridge}", bridge)
        again = split_nested(nlp, outer) if deeper > 0 else None
        if again is not None and bridge in again.inner:
            rest = read_hops(nlp, again, (*names, bridge), read, deeper - 1)
            if rest:
                return [*rest, first]
            continue
        second = [r for r in newest_first(read(outer)) if not _restates(r.value, (bridge, *names))]
        if second:
            return [second[0], first]
    return None


def _restates(value: str, names: Sequence[str]) -> bool:
    """Whether a second hop's value is the bridge, a name the question gives, or part of
    one: the sentence that names the bridge names it as the subject, not as its relative
    ("the son of Robert II" read for "Who is Robert II's father?")."""
    key = f" {normalise(value)} "
    return any(key in f" {normalise(n)} " for n in names if normalise(n))


def _same_rank(reading: Reading, best: Reading) -> bool:
    return (round(reading.binding, 2), round(reading.fit, 2)) == (
        round(best.binding, 2),
        round(best.fit, 2),
    )
