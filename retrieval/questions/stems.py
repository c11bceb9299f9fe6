"""Word stems, so that a question's "approves" meets a policy's "approval" and "kept" a
schedule's "keep" (Snowball's English stemmer, with its irregular forms)."""

from functools import cache

import Stemmer

from groundgraph.ingest.resolution import normalise

# Past forms the stemmer leaves apart from their verb.
_IRREGULAR = {"kept": "keep", "led": "lead", "ran": "run", "made": "make", "held": "hold"}


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stems(text: str) -> frozenset[str]:
    """The stems of a text's words, lower-cased."""
    words = [_IRREGULAR.get(w, w) for w in normalise(text).split()]
    return frozenset(_stemmer().stemWords(words))
