"""The read path every answer takes, from any entry point: the facade, the server (through
the facade) and the daily job's answer check (on the job's own parts).

Reads one store version: the question is read in its conversation, routed, retrieved and
answered inside one snapshot.
"""

import dataclasses
from collections.abc import Sequence
from datetime import date

from groundgraph.assembly import Components
from groundgraph.graph.errors import UsageError
from groundgraph.retrieval.as_of import AS_OF_WIDENING, as_of_context, as_of_day
from groundgraph.retrieval.base import Answer, Context, Decoding, TokenSink
from groundgraph.retrieval.questions.conversation import standalone_question
from groundgraph.retrieval.retrievers.routing import Mode, route
from groundgraph.settings import GeneratorName


def retrieve(parts: Components, question: str, k: int | None = None) -> Context:
    """The chunks, facts and entities that bear on the question, from one store version."""
    with parts.store.snapshot():
        return parts.retriever.retrieve(question, k)


def answer_question(
    parts: Components,
    question: str,
    mode: Mode | None = None,
    generator: GeneratorName | None = None,
    stream: TokenSink | None = None,
    strict: bool | None = None,
    k: int | None = None,
    earlier: Sequence[str] = (),
    decoding: Decoding | None = None,
    as_of: date | str | None = None,
) -> Answer:
    """An answer citing the source text (see `GroundGraph.ask` for the arguments).

    Raises:
        UsageError: the question is empty, or `as_of` is not a date.
    """
    if not question.strip():
        raise UsageError("the question is empty; ask something")
    day = as_of_day(as_of)
    settings = parts.settings
    read = standalone_question(parts.nlp(), question, earlier) if earlier else question
    chosen = route(read, mode or settings.answer.mode)
    with parts.store.snapshot():
        if chosen == "global":
            context = parts.global_retriever.retrieve(read, settings.answer.communities)
        else:
            wanted = k or settings.retrieval.answer_passages
            found = parts.retriever.retrieve(read, wanted * AS_OF_WIDENING if day else wanted)
            context = as_of_context(found, day, wanted)
        answer = parts.generator(generator, strict).generate(read, context, stream, decoding)
    notes = answer.notes
    if read != question:
        notes = (f"read in the conversation as {read!r}", *notes)
    return dataclasses.replace(answer, question=question, mode=chosen, notes=notes)
