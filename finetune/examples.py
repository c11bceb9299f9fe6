"""Training examples from the graph: questions whose answers its relations state, each with
the evidence chunks that state them, distractors the retriever finds, and a cited target.

Single-hop examples ask for either end of a relation ("Where did Pierre Curie die?", "Who
discovered polonium?", in the wording of `phrasing.py`), only where the graph gives the
question one answer; bridge examples follow a 2-hop path (A → B → C) and ask for C through
A ("Where did the one Marie Curie married die?"). Splits are drawn by answer entity, so no
test answer is ever a training answer, and training questions never name a test answer.
"""

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from groundgraph.finetune.phrasing import description, object_question, subject_question
from groundgraph.graph.base import GraphReader
from groundgraph.graph.ids import stable_hash
from groundgraph.graph.model import Entity, Relation
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.retrieval.answering.prompts import grounded_messages
from groundgraph.retrieval.base import Retriever

SPLITS = ("train", "validation", "test")
# Examples from users' corrections (`corrections.py`): trained on, never tested on.
CORRECTIONS = "corrections"
FILES = (*SPLITS, CORRECTIONS)
_SKIPPED_PREDICATES = {"co_occurs_with"}


@dataclass(frozen=True)
class Example:
    """One grounded question: numbered passages, the gold ones among them, the cited answer."""

    id: str
    kind: str
    question: str
    answer: str
    answer_entity: str
    passages: tuple[tuple[str, str], ...]
    gold_markers: tuple[int, ...]

    @property
    def target(self) -> str:
        return self.answer + " " + "".join(f"[{m}]" for m in self.gold_markers)

    def messages(self, with_answer: bool = True) -> list[dict[str, str]]:
        chat = grounded_messages(self.question, self.passages)
        return [*chat, {"role": "assistant", "content": self.target}] if with_answer else chat

    def to_record(self) -> dict:
        return {"messages": self.messages(), "metadata": asdict(self)}

    @classmethod
    def from_record(cls, record: dict) -> "Example":
        meta = record["metadata"]
        return cls(
            meta["id"],
            meta["kind"],
            meta["question"],
            meta["answer"],
            meta["answer_entity"],
            tuple(tuple(p) for p in meta["passages"]),
            tuple(meta["gold_markers"]),
        )


@dataclass
class ExampleSet:
    """The three splits, the examples from users' corrections, and the graph snapshot they
    came from.

    Attributes:
        corrections: trained on with `train`, never in `test`; scored apart.
        refused: corrections that did not become examples, with the reason (as manifest
            entries: feedback id, question, reason).
    """

    train: list[Example]
    validation: list[Example]
    test: list[Example]
    snapshot: dict = field(default_factory=dict)
    corrections: list[Example] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)

    @property
    def training(self) -> list[Example]:
        """What the adapter trains on: the train split and the corrections."""
        return [*self.train, *self.corrections]

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in FILES}

    @property
    def fingerprint(self) -> str:
        """Hash of the examples themselves: what an adapter was trained and judged on."""
        digest = hashlib.sha256()
        for split in FILES:
            for example in getattr(self, split):
                digest.update(f"{split}\x1f{example.id}\n".encode())
        return digest.hexdigest()

    def write(self, directory: Path) -> None:
        """`train.jsonl`, `validation.jsonl`, `test.jsonl`, `corrections.jsonl` (chat
        format, read by `datasets` and TRL) and `manifest.json` (snapshot, counts,
        fingerprint, refused corrections)."""
        directory.mkdir(parents=True, exist_ok=True)
        for split in FILES:
            lines = (json.dumps(e.to_record(), ensure_ascii=False) for e in getattr(self, split))
            (directory / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        manifest = {
            "snapshot": self.snapshot,
            "fingerprint": self.fingerprint,
            "counts": self.counts(),
            "refused_corrections": self.refused,
        }
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    @classmethod
    def read(cls, directory: Path) -> "ExampleSet":
        splits = {}
        for split in FILES:
            path = directory / f"{split}.jsonl"
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            splits[split] = [Example.from_record(json.loads(line)) for line in lines if line]
        manifest = json.loads((directory / "manifest.json").read_text())
        return cls(
            **splits,
            snapshot=manifest["snapshot"],
            refused=manifest.get("refused_corrections", []),
        )


def graph_snapshot(store: GraphReader) -> dict:
    """Counts and a content fingerprint of the graph the examples are built from."""
    stats = store.stats()
    digest = hashlib.sha256()
    for relation in store.relations():
        digest.update(f"{relation.id}\x1f{','.join(relation.evidence)}\n".encode())
    for chunk in store.chunks():
        digest.update(f"{chunk.id}\x1f{chunk.content_hash}\n".encode())
    return {
        "documents": stats.documents,
        "chunks": stats.chunks,
        "entities": stats.entities,
        "relations": stats.relations,
        "fingerprint": digest.hexdigest(),
    }


@dataclass(frozen=True)
class _Question:
    kind: str
    text: str
    answer_id: str
    gold: tuple[str, ...]  # chunk ids


def _questions(relations: list[Relation], entities: dict[str, Entity]) -> list[_Question]:
    """Single-hop questions for either end of each relation, and bridge questions over
    2-hop paths, each asked only where it has one answer in the graph."""
    typed = [
        r
        for r in relations
        if r.predicate not in _SKIPPED_PREDICATES
        and r.evidence
        and r.source_id != r.target_id
        and r.source_id in entities
        and r.target_id in entities
    ]
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in typed:
        targets[r.source_id, r.predicate].add(r.target_id)
        sources[r.predicate, r.target_id].add(r.source_id)
    found: list[_Question] = []
    unique = [r for r in typed if len(targets[r.source_id, r.predicate]) == 1]
    for r in unique:
        src, dst = entities[r.source_id], entities[r.target_id]
        gold: tuple[str, ...] = (r.evidence[0],)
        found.append(
            _Question("object", object_question(src.name, r.predicate, dst.type), dst.id, gold)
        )
    for r in typed:
        if len(sources[r.predicate, r.target_id]) != 1:
            continue
        src, dst = entities[r.source_id], entities[r.target_id]
        asked = subject_question(dst.name, r.predicate, src.type)
        if asked is not None:
            found.append(_Question("subject", asked, src.id, (r.evidence[0],)))
    outgoing: dict[str, list[Relation]] = defaultdict(list)
    for r in unique:
        outgoing[r.source_id].append(r)
    for first in unique:
        for second in outgoing.get(first.target_id, ()):
            if second.target_id in (first.source_id, first.target_id):
                continue
            through = description(entities[first.source_id].name, first.predicate)
            asked = object_question(through, second.predicate, entities[second.target_id].type)
            gold = tuple(dict.fromkeys((first.evidence[0], second.evidence[0])))
            found.append(_Question("bridge", asked, second.target_id, gold))
    return found


def _split(entity_id: str, settings_test: float, settings_validation: float) -> str:
    bucket = int(stable_hash("split", entity_id)[:8], 16) / 16**8
    if bucket < settings_test:
        return "test"
    return "validation" if bucket < settings_test + settings_validation else "train"


def build_examples(
    store: GraphReader,
    retriever: Retriever,
    distractors: int = 3,
    max_examples: int = 2000,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
    progress: Progress = no_progress,
) -> ExampleSet:
    """Examples from every typed relation with evidence, split by answer entity."""
    entities = {e.id: e for e in store.entities()}
    names = {e.id: e.name for e in entities.values()}
    unique = {q.text.casefold(): q for q in _questions(store.relations(), entities)}
    questions = sorted(unique.values(), key=lambda q: stable_hash("order", q.text))
    questions = questions[:max_examples]
    chunks = {c.id: c for c in store.chunks()}
    titles = {d.id: d.title for d in store.documents()}
    splits: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for done, q in enumerate(questions, start=1):
        retrieved = retriever.retrieve(q.text, distractors + len(q.gold)).chunks
        extra = [s.chunk.id for s in retrieved if s.chunk.id not in q.gold][:distractors]
        order = list(q.gold) + extra
        random.Random(f"{seed}:{q.text}").shuffle(order)
        passages = tuple((titles[chunks[c].doc_id], chunks[c].text) for c in order)
        gold = tuple(sorted(order.index(c) + 1 for c in q.gold))
        example = Example(
            stable_hash("example", q.text),
            q.kind,
            q.text,
            names[q.answer_id],
            q.answer_id,
            passages,
            gold,
        )
        splits[_split(q.answer_id, test_fraction, validation_fraction)].append(example)
        progress("examples", done, len(questions))
    held_out = {e.answer.casefold() for e in splits["test"]}
    for split in ("train", "validation"):
        splits[split] = [
            e for e in splits[split] if not any(name in e.question.casefold() for name in held_out)
        ]
    return ExampleSet(
        splits["train"], splits["validation"], splits["test"], snapshot=graph_snapshot(store)
    )
