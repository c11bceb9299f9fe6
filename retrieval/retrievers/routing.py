"""Routing a question to local retrieval (passages about named things) or global retrieval
(community reports, for questions about the collection as a whole).

The rule is a visible pattern list, not a model: a question is global when it asks for the
main themes, topics or trends, or for a summary or overview of the documents as a whole.
Everything else is local. An explicit mode always wins.
"""

import re
from typing import Literal

Mode = Literal["auto", "local", "global"]

GLOBAL_QUESTION = re.compile(
    r"\b(main|major|key|central|common|recurring|overall|dominant|important)\s+"
    r"(themes?|topics?|subjects?|ideas?|trends?|threads?|areas?)\b"
    r"|\bwhat\s+(themes?|topics?|subjects?)\b"
    r"|\b(summari[sz]e|summary\s+of|overview\s+of|gist\s+of)\s+(the\s+|these\s+|this\s+|all\s+)?"
    r"(corpus|documents?|collection|dataset|texts?|everything|whole)\b"
    r"|\b(across|in)\s+(all\s+)?(the|these)\s+(documents|corpus|collection)\b.*\b(about|themes?)\b"
    r"|\bwhat\s+(is|are)\s+(the|these|this)\s+(documents?|corpus|collection)\s+about\b",
    re.IGNORECASE,
)


def route(question: str, mode: Mode) -> Literal["local", "global"]:
    """The mode a question is answered in: `mode` itself unless it is `auto`."""
    if mode != "auto":
        return mode
    return "global" if GLOBAL_QUESTION.search(question) else "local"
