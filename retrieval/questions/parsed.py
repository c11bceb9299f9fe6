"""Question parses, kept: one answer parses its question in several places (splitting a
nested question, reading its terms, linking its names, each hop again), a few milliseconds
each; the same text always parses the same, so each is parsed once.

The parses are shared and must be read, never changed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Distinct question texts kept (a parse of a question is a few kilobytes).
KEPT_QUESTIONS = 4096


@lru_cache(maxsize=KEPT_QUESTIONS)
def parsed(nlp: Language, text: str, disable: tuple[str, ...] = ()) -> Doc:
    """`text` parsed by `nlp` without the components `disable` names."""
    return nlp(text, disable=list(disable))
