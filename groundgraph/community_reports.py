"""Reports of Leiden communities: what a global question is answered from.

A report names the community's most mentioned entities, its strongest relations and the
sentences that mention most of its members (kept as spans, so a global answer cites chunks).
With a language model configured, the largest communities also get a two-sentence summary.
"""

import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from groundgraph.graph.base import GraphReader, GraphStore
from groundgraph.graph.communities import detect_communities
from groundgraph.graph.ids import stable_hash
from groundgraph.graph.model import Chunk, Community, CommunitySet, Entity
from groundgraph.graph.settings import GraphSettings
from groundgraph.retrieval.answering.prompts import community_summary_messages
from groundgraph.retrieval.base import ChatModel, RetrievalError

log = logging.getLogger(__name__)

REPORT_ENTITIES = 8
REPORT_RELATIONS = 6
REPORT_SENTENCES = 3
TITLE_ENTITIES = 3
SUMMARY_TOKENS = 120
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def build_communities(
    store: GraphReader,
    settings: GraphSettings,
    chat: ChatModel | None = None,
    summarised: int = 0,
) -> list[Community]:
    """Detect communities in the stored graph and write each one's report.

    Args:
        chat: writes summaries of the `summarised` largest communities; None writes none.
    """
    groups = detect_communities(
        store.adjacency(), settings.community_resolution, settings.community_min_size
    )
    member_ids = [e for group in groups for e in group]
    entities = {e.id: e for e in store.entities(member_ids)}
    community_of = {e: i for i, group in enumerate(groups) for e in group}
    relations: dict[int, list[str]] = defaultdict(list)
    for r in sorted(store.relations(member_ids), key=lambda r: (-r.weight, r.id)):
        home = community_of.get(r.source_id)
        if home is not None and home == community_of.get(r.target_id):
            source, target = entities[r.source_id].name, entities[r.target_id].name
            relations[home].append(f"{source} {r.predicate.replace('_', ' ')} {target}")
    chunk_hits: dict[int, Counter[str]] = defaultdict(Counter)
    for m in store.mentions(entity_ids=member_ids):
        chunk_hits[community_of[m.entity_id]][m.chunk_id] += 1
    best_chunks = {
        i: [c for c, _ in hits.most_common(REPORT_SENTENCES)] for i, hits in chunk_hits.items()
    }
    chunks = {c.id: c for c in store.chunks([c for ids in best_chunks.values() for c in ids])}
    built = []
    for i, group in enumerate(groups):
        members = sorted((entities[e] for e in group if e in entities), key=_prominence)
        spans = [_representative(chunks[c], members) for c in best_chunks.get(i, []) if c in chunks]
        report = _report(members, relations[i][:REPORT_RELATIONS], spans, chunks)
        if chat is not None and i < summarised:
            report = _with_summary(chat, report)
        built.append(
            Community(
                id=stable_hash("community", *group),
                level=0,
                size=len(group),
                title=", ".join(e.name for e in members[:TITLE_ENTITIES]),
                summary=report,
                entity_ids=tuple(e.id for e in members),
                evidence_chunks=tuple(s[0] for s in spans),
                evidence_starts=tuple(s[1] for s in spans),
                evidence_ends=tuple(s[2] for s in spans),
            )
        )
    return built


def _prominence(entity: Entity) -> tuple[int, str]:
    return (-entity.mention_count, entity.name)


def _representative(chunk: Chunk, members: Sequence[Entity]) -> tuple[str, int, int]:
    """The chunk's sentence that names most members, as a document span."""
    names = [n.lower() for e in members for n in (e.name, *e.aliases)]
    best, best_hits = (0, len(chunk.text)), -1
    for match in _SENTENCE.finditer(chunk.text):
        sentence = match.group().lower()
        hits = sum(1 for n in names if n in sentence)
        if hits > best_hits and match.group().strip():
            stripped = len(match.group()) - len(match.group().lstrip())
            best, best_hits = (match.start() + stripped, match.end()), hits
    start, end = best
    end = start + len(chunk.text[start:end].rstrip())
    return chunk.id, chunk.start + start, chunk.start + end


def _report(
    members: Sequence[Entity],
    relations: Sequence[str],
    spans: Sequence[tuple[str, int, int]],
    chunks: dict[str, Chunk],
) -> str:
    key = ", ".join(f"{e.name} ({e.type})" for e in members[:REPORT_ENTITIES])
    lines = [f"Key entities ({len(members)} in all): {key}."]
    if relations:
        lines.append(f"Key relations: {'; '.join(relations)}.")
    quotes = [
        chunks[c].text[start - chunks[c].start : end - chunks[c].start] for c, start, end in spans
    ]
    if quotes:
        lines.append("Representative sentences: " + " ".join(f'"{q}"' for q in quotes))
    return "\n".join(lines)


def _with_summary(chat: ChatModel, report: str) -> str:
    try:
        summary = chat.complete(community_summary_messages(report), SUMMARY_TOKENS).strip()
    except RetrievalError as e:
        log.warning("community summary skipped: %s", e)
        return report
    return f"Summary (written by the {chat.name} model): {summary}\n{report}" if summary else report


@dataclass(frozen=True)
class CommunityReport:
    """The communities stage's report: the communities now stored, whether this call
    rebuilt them, and how long it took."""

    found: CommunitySet
    rebuilt: bool
    seconds: float


def refresh_communities(
    store: GraphStore,
    settings: GraphSettings,
    chat: ChatModel | None = None,
    summarised: int = 0,
) -> CommunityReport:
    """Rebuild and store the communities if the graph changed since they were computed: the
    write step after every graph write (reads never rebuild them).

    The version is read before the graph is, so a write that lands during the rebuild leaves
    the communities marked stale for the next call.
    """
    began = time.perf_counter()
    version = store.version()
    stored = store.communities()
    if stored.graph_version == version:
        return CommunityReport(stored, False, time.perf_counter() - began)
    built = build_communities(store, settings, chat, summarised)
    store.replace_communities(built, version)
    return CommunityReport(CommunitySet(version, tuple(built)), True, time.perf_counter() - began)
