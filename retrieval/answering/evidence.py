"""The sentences of retrieved chunks, parsed once for the extractive answer and the verifier.

Each sentence keeps its exact document span (what a citation quotes) and a resolved form for
scoring, in which a leading pronoun or possessive stands replaced by the document's subject:
in Alan Turing's document "He was born in Maida Vale" scores as "Alan Turing was born in Maida
Vale", and "Its headquarters moved to Armonk" in IBM's as "IBM's headquarters moved to
Armonk". Without that, a question naming the subject never matches the sentence that answers
it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from groundgraph.ingest.graph_builder import title_subject
from groundgraph.ingest.nlp import line_stands_alone
from groundgraph.retrieval.answering.chunk_parses import ChunkParses
from groundgraph.retrieval.answering.instructions import looks_like_instruction
from groundgraph.retrieval.base import Context, ScoredChunk

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PRONOUNS = frozenset({"he", "she", "it", "they", "his", "her", "its", "their"})
_SUBJECT_ROLES = frozenset({"nsubj", "nsubjpass"})
_PERSONAL = frozenset({"he", "she", "his", "her"})
_GENDER = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f", "hers": "f"}
_PRONOUN_ROLES = frozenset({"nsubj", "nsubjpass", "poss"})
_LOCATIVE = frozenset({"in", "at", "near"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME", "CARDINAL", "QUANTITY"})
# A pronoun this far into a sentence ("In 1890, he ...") still stands for its subject.
LEADING_TOKENS = 4
# Labels of names and numbers: a claim that gets one of these wrong is wrong.
_ANCHOR_POS = frozenset({"PROPN", "NUM"})


@dataclass(frozen=True)
class EvidenceSentence:
    """One sentence of a retrieved chunk.

    Attributes:
        marker: the chunk's number in the context, from 1 (what `[n]` cites).
        start, end: character offsets into the document; `text` is exactly that span.
        resolved: the text with a leading pronoun replaced by the document's subject.
        lemmas: content lemmas of the resolved text.
        anchors: lemmas of its names and numbers.
        entities: (text, spaCy label) of its named entities.
        instruction: the sentence reads like an instruction to the assistant.
        heading: a line that titles what follows ("INCIDENT REPORT INC-2024-019", "## Cause",
            "24 September 2024"): context for the sentences under it, never an answer.
        context: what the sentence stands under: its chunk's section path, the document's
            title and the heading lines above it in the chunk.
        pronoun_person: the person its leading "he" or "she" stands for, or "" (the answer
            to "who" that the sentence gives in place of the pronoun).
        span: the parsed sentence (in this process only; not compared).
    """

    marker: int
    chunk: ScoredChunk
    start: int
    end: int
    text: str
    resolved: str
    lemmas: frozenset[str]
    anchors: frozenset[str]
    entities: tuple[tuple[str, str], ...]
    instruction: bool
    heading: bool = False
    context: str = ""
    pronoun_person: str = ""
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def subject(self) -> str:
        return title_subject(self.chunk.document_title)


def content_lemmas(doc: Doc | Span) -> frozenset[str]:
    """Lower-case lemmas of the words that carry meaning (no stop words or punctuation)."""
    return frozenset(t.lemma_.lower() for t in doc if not (t.is_stop or t.is_punct or t.is_space))


def anchor_lemmas(doc: Doc | Span) -> frozenset[str]:
    """Names and numbers: an answer that gets these wrong is wrong however similar it reads."""
    return frozenset(t.lemma_.lower() for t in doc if t.pos_ in _ANCHOR_POS or t.like_num)


def leading_antecedent(
    sent: Span,
    subject: str,
    people: Sequence[str] = (),
    genders: Mapping[str, str] | None = None,
) -> tuple[Token, str] | None:
    """The sentence's leading subject or possessive pronoun and what it stands for:
    "he"/"she"/"his"/"her" the one person its section has named before it whom the pronoun
    fits (`genders`: what earlier pronouns said of them; none: the document's subject,
    several: nobody, as it is ambiguous), any other the document's subject. None when there
    is no such pronoun, it stands for nobody, or the sentence already gives the name."""
    for token in sent[:LEADING_TOKENS]:
        if leading_pronoun(token):
            name = _antecedent(token.lower_, subject, people, genders or {})
            if not name or name.lower() in sent.text.lower():
                return None
            return token, name
    return None


def _resolved(sent: Span, found: tuple[Token, str] | None) -> str:
    """The sentence with its leading pronoun replaced by what it stands for."""
    if found is None:
        return sent.text
    token, name = found
    start = token.idx - sent.start_char
    name = f"{name}'s" if token.dep_ == "poss" else name
    return sent.text[:start] + name + sent.text[start + len(token.text) :]


def leading_pronoun(token: Token) -> bool:
    """A pronoun that stands for someone named before, where it leads its sentence."""
    return token.lower_ in _PRONOUNS and token.dep_ in _PRONOUN_ROLES


def _antecedent(
    pronoun: str, subject: str, people: Sequence[str], genders: Mapping[str, str]
) -> str:
    """What a pronoun stands for: a personal pronoun for the person its section named, when
    it named exactly one, or exactly one whom no earlier pronoun gave the other gender ("she
    spent eight years at Navenco" makes the next "He" not Amara); otherwise the document's
    subject where that can be a person's name, unless the section named several people (then
    it is ambiguous and stands for nobody)."""
    if pronoun in _PERSONAL:
        distinct = list(dict.fromkeys(people))
        if len(distinct) == 1:
            return distinct[0]
        fitting = [p for p in distinct if genders.get(p, _GENDER[pronoun]) == _GENDER[pronoun]]
        if len(distinct) > 1:
            return fitting[0] if len(fitting) == 1 else ""
        if not _a_name(subject):
            return ""  # "He" on a page titled "Winter newsletter" is nobody we know of
    return subject


def _a_name(title: str) -> bool:
    """A title that can be a person's name: every word capitalised ("Anne Holt")."""
    words = [w for w in title.split() if w[:1].isalpha()]
    return bool(words) and all(w[:1].isupper() for w in words)


def _person_of(antecedent: tuple[Token, str] | None) -> str:
    """The person a leading "he" or "she" subject stands for, or ""."""
    if antecedent is None or antecedent[0].lower_ not in ("he", "she"):
        return ""
    return antecedent[1] if antecedent[0].dep_ != "poss" else ""


def _learn_gender(sent: Span, people: Sequence[str], genders: dict[str, str]) -> None:
    """What a personal pronoun says of the one person named so far: "Amara Nwosu leads the
    Devices team. Before joining she spent ..." makes Amara Nwosu "she"."""
    distinct = set(people)
    if len(distinct) != 1:
        return
    said = {_GENDER[t.lower_] for t in sent if t.lower_ in _GENDER and t.dep_ in _PRONOUN_ROLES}
    if len(said) == 1:
        genders.setdefault(distinct.pop(), said.pop())


def evidence_sentences(
    parses: ChunkParses,
    context: Context,
    markers: Iterable[int] | None = None,
    min_words: int = 1,
) -> list[EvidenceSentence]:
    """The sentences of the context's chunks (all, or those numbered `markers`), in order,
    from the chunks' stored parses.

    Headings (a leading `#`) and sentences under `min_words` words are left out.
    """
    wanted = sorted(set(markers)) if markers is not None else range(1, len(context.chunks) + 1)
    chunks = [context.chunks[m - 1] for m in wanted]
    read = parses.read(
        [c.chunk for c in chunks],
        [(c.document_title, min_words) for c in chunks],
        lambda i, doc: _chunk_sentences(chunks[i], doc, min_words),
    )
    return [
        replace(s, marker=marker, chunk=scored)
        for marker, scored, sentences in zip(wanted, chunks, read, strict=True)
        for s in sentences
    ]


def _chunk_sentences(scored: ScoredChunk, doc: Doc, min_words: int) -> list[EvidenceSentence]:
    """The sentences of one chunk, numbered 0 (the caller numbers them)."""
    subject = title_subject(scored.document_title)
    headings = [scored.chunk.section, scored.document_title]
    people: list[str] = []
    genders: dict[str, str] = {}
    found = []
    ents = list(doc.ents)  # a span's `ents` goes through all of its document's each time
    for sent in doc.sents:
        text = sent.text.strip()
        words = [t for t in sent if not (t.is_punct or t.is_space)]
        heading = is_heading(text)
        if not text or (len(words) < min_words and not heading):
            continue
        inside = [e for e in ents if sent.start <= e.start and e.end <= sent.end]
        start = scored.chunk.start + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        antecedent = leading_antecedent(sent, subject, people, genders)
        resolved = _resolved(sent, antecedent)
        found.append(
            EvidenceSentence(
                marker=0,
                chunk=scored,
                start=start,
                end=start + len(text),
                text=text,
                resolved=resolved.strip(),
                lemmas=content_lemmas(sent) | _subject_words(resolved, text, subject),
                anchors=anchor_lemmas(sent),
                entities=_entities(sent, inside),
                instruction=looks_like_instruction(text),
                heading=heading,
                context=" \n ".join(h for h in headings if h),
                pronoun_person=_person_of(antecedent),
                span=sent,
            )
        )
        if heading:
            headings.append(text.lstrip("#").strip())
        if not heading:
            _learn_gender(sent, people, genders)
            people += _subject_people(sent, inside)
    return found


def _subject_people(sent: Span, ents: list[Span]) -> list[str]:
    """People the sentence is about: PERSON names in its subject (and names joined to it by
    "and"), not those it merely mentions ("Tom Becker runs Customer Success": the recogniser
    calls both people, only one is the subject)."""
    found = []
    for ent in ents:
        root = ent.root
        while root.dep_ == "conj" and root.head is not root:
            root = root.head
        if ent.label_ == "PERSON" and root.dep_ in _SUBJECT_ROLES:
            found.append(ent.text)
    named = {t.i for e in ents for t in e}
    for token in sent:
        # A name the recogniser missed ("Maya Lund runs Sales." under a "## Sales" heading)
        if token.dep_ == "nsubj" and token.pos_ == "PROPN" and token.i not in named:
            first = token
            while first.i > sent.start and token.doc[first.i - 1].dep_ == "compound":
                first = token.doc[first.i - 1]
            if first.i < token.i:  # a first and a last name, not a lone word
                found.append(token.doc[first.i : token.i + 1].text)
    return found


def is_heading(text: str) -> bool:
    """A line that titles what follows: a Markdown heading, or a line that stands alone
    without being a `Label: value` line (see `line_stands_alone`)."""
    text = text.strip()
    if text.startswith("#"):
        return True
    return "\n" not in text and ": " not in text and line_stands_alone(text)


def _entities(sent: Span, ents: list[Span]) -> tuple[tuple[str, str], ...]:
    """(text, label) of the sentence's entities. A name right after "in", "at" or "near" is
    also taken for a place, whatever the recogniser said ("born in Tromsø" came out ORG)."""
    found = []
    for e in ents:
        found.append((e.text, e.label_))
        before = e.doc[e.start - 1] if e.start > sent.start else None
        if before is not None and before.lower_ in _LOCATIVE and e.label_ not in _PLACE_LABELS:
            found.append((e.text, "GPE"))
    return tuple(found)


def _subject_words(resolved: str, text: str, subject: str) -> frozenset[str]:
    """The subject's words, when they stand in for a pronoun of the sentence."""
    if resolved == text:
        return frozenset()
    return frozenset(w.lower() for w in subject.split() if any(c.isalnum() for c in w))
