"""Entity resolution within a document: one canonical name per thing mentioned.

Names are normalised (case, punctuation, possessives, leading articles), a shorter name is
merged into the one longer name of the same type that contains it ("Curie" into "Marie
Curie", unless "Pierre Curie" makes it ambiguous), and an acronym into the name whose
initials it spells ("IBM" into "International Business Machines"). Across documents,
entities meet by normalised name, which is what their ids are made of.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from groundgraph.ingest.base import EntitySpan

_POSSESSIVE = re.compile(r"(?:'s|'|’s|’)$", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+")
# Words that acronyms skip: "Federal Bureau of Investigation" is FBI, not FBOI.
# The rules' names, as the merge log shows them.
CONTAINED_NAME = "contained name"
ACRONYM = "acronym"
_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "de", "la", "du", "des", "&", "in", "on"})


def display_name(surface: str) -> str:
    """The surface form without possessive, leading article or stray spacing."""
    name = " ".join(unicodedata.normalize("NFKC", surface).split())
    name = _ARTICLE.sub("", _POSSESSIVE.sub("", name)).strip(" .,;:!?\"'()[]")
    return name or surface.strip()


def normalise(name: str) -> str:
    """The key under which names of one entity meet: 'The Curies’' and 'curies' agree."""
    words = _NON_WORD.sub(" ", display_name(name)).casefold().split()
    return " ".join(words)


@dataclass(frozen=True)
class ResolvedMention:
    """An entity occurrence resolved to its canonical entity within the document."""

    key: str
    name: str
    type: str
    surface: str
    rule: str = ""  # the rule that merged the occurrence's own name into `key`, if one did


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.lower() not in _ACRONYM_SKIP).upper()


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


class _Group:
    """All occurrences in the document that share a normalised key."""

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()
        self.types: Counter[str] = Counter()

    @property
    def name(self) -> str:
        return min(self.names, key=lambda n: (-self.names[n], -len(n), n))

    @property
    def type(self) -> str:
        return min(self.types, key=lambda t: (-self.types[t], t))


def _merge_targets(
    groups: dict[str, _Group], kept_apart: frozenset[tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """Map each key that should merge to the key it merges into and the rule that merges
    it; a pair a person kept apart never merges (nor does the name then merge into another:
    the person said it is its own)."""
    targets: dict[str, tuple[str, str]] = {}
    words = {key: key.split() for key in groups}
    for key, group in groups.items():
        surface = group.name
        if surface.isupper() and 2 <= len(surface) <= 6 and " " not in surface:
            spelled = [k for k in groups if k != key and _initials(groups[k].name) == surface]
            if len(spelled) == 1:
                if (key, spelled[0]) not in kept_apart:
                    targets[key] = (spelled[0], ACRONYM)
                continue
        longer = [
            k
            for k in groups
            if len(words[k]) > len(words[key])
            and groups[k].type == group.type
            and _contains(words[k], words[key])
        ]
        maximal = [
            k for k in longer if not any(_contains(words[o], words[k]) and o != k for o in longer)
        ]
        if len(maximal) == 1 and (key, maximal[0]) not in kept_apart:
            targets[key] = (maximal[0], CONTAINED_NAME)
    return targets


def resolve(
    entities: Sequence[EntitySpan], kept_apart: frozenset[tuple[str, str]] = frozenset()
) -> list[ResolvedMention]:
    """Resolve a document's entity occurrences; the result is parallel to `entities`.
    `kept_apart` holds (name key, key) pairs a person split: those never merge.

    Example:
        >>> [m.name for m in resolve([EntitySpan(0, 11, "Marie Curie", "PERSON"),
        ...                           EntitySpan(20, 25, "Curie", "PERSON")])]
        ['Marie Curie', 'Marie Curie']
    """
    groups: dict[str, _Group] = defaultdict(_Group)
    keys = []
    for span in entities:
        key = normalise(span.text) or span.text.strip().casefold()
        keys.append(key)
        groups[key].names[display_name(span.text)] += 1
        groups[key].types[span.label] += 1
    targets = _merge_targets(groups, kept_apart)
    resolved = []
    for span, key in zip(entities, keys, strict=True):
        final, rule = targets.get(key, (key, ""))
        group = groups[final]
        resolved.append(ResolvedMention(final, group.name, group.type, span.text, rule))
    return resolved
