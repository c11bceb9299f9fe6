"""What users said about answers: a rating and, where the answer was wrong, the right one.

Feedback is kept in `STORE/feedback.sqlite`, beside the graph whatever its backend, one row
per rating with the question, the answer and its citations as they were shown, the time and
the store version it was answered from. The monthly fine-tune reads the corrections
(`corrections.py`); nothing else changes because of feedback, so a wrong rating cannot
corrupt the graph.
"""

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from groundgraph.graph.errors import UsageError

FEEDBACK_FILE = "feedback.sqlite"
Rating = Literal["good", "bad"]
RATINGS: tuple[str, ...] = get_args(Rating)
MAX_TEXT = 20_000  # characters of a question, answer or correction kept

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating TEXT NOT NULL,
    correction TEXT,
    store_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_created ON feedback (created);
"""


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer.

    Attributes:
        citations: the answer's citations as shown (`Citation` fields: chunk id, document
            URI, character span, quoted text).
        correction: the right answer, in the user's words; None when the rating is all.
        store_version: the graph version the answer was read from.
    """

    id: str
    created: str
    question: str
    answer: str
    citations: tuple[dict, ...]
    rating: Rating
    correction: str | None
    store_version: int

    @property
    def month(self) -> str:
        return self.created[:7]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "created": self.created,
            "question": self.question,
            "answer": self.answer,
            "citations": list(self.citations),
            "rating": self.rating,
            "correction": self.correction,
            "store_version": self.store_version,
        }


@dataclass(frozen=True)
class MonthCounts:
    """Feedback of one month, as the Dagster UI tables it."""

    month: str
    good: int
    bad: int
    corrections: int


def validate_feedback(question: str, rating: str, correction: str | None) -> None:
    """Refuse feedback that could not be used, before anything is stored.

    Raises:
        UsageError: an empty question, an unknown rating, an empty correction, or a text
            longer than `MAX_TEXT`.
    """
    if not question.strip():
        raise UsageError("feedback needs the question that was asked")
    if rating not in RATINGS:
        raise UsageError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    if correction is not None and not correction.strip():
        raise UsageError("the correction is empty; give the right answer or leave it out")
    for name, text in (("question", question), ("correction", correction or "")):
        if len(text) > MAX_TEXT:
            raise UsageError(f"the {name} is {len(text)} characters; at most {MAX_TEXT}")


class FeedbackStore:
    """The feedback of one store directory. Each call opens its own connection, so server
    threads can record feedback side by side (SQLite serialises the writes)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FEEDBACK_FILE

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            conn.executescript(_SCHEMA)
            with conn:
                yield conn

    def add(
        self,
        question: str,
        answer: str,
        citations: list[dict],
        rating: Rating,
        correction: str | None,
        store_version: int,
    ) -> Feedback:
        """Store one rating; the stored record.

        Raises:
            UsageError: see `validate_feedback`.
        """
        validate_feedback(question, rating, correction)
        record = Feedback(
            uuid.uuid4().hex,
            datetime.now(UTC).isoformat(timespec="seconds"),
            question.strip(),
            answer[:MAX_TEXT],
            tuple(citations),
            rating,
            correction.strip() if correction else None,
            store_version,
        )
        with self._db() as db:
            db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.created,
                    record.question,
                    record.answer,
                    json.dumps(list(record.citations), ensure_ascii=False),
                    record.rating,
                    record.correction,
                    record.store_version,
                ),
            )
        return record

    def all(self) -> list[Feedback]:
        """Every rating, oldest first."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY created, id").fetchall()
        return [
            Feedback(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], r[6], r[7])
            for r in rows
        ]

    def corrections(self) -> list[Feedback]:
        """Ratings that came with a corrected answer, oldest first."""
        return [f for f in self.all() if f.correction]

    def months(self) -> list[MonthCounts]:
        """Counts per month, oldest first."""
        counts: dict[str, list[int]] = {}
        for f in self.all():
            row = counts.setdefault(f.month, [0, 0, 0])
            row[0 if f.rating == "good" else 1] += 1
            row[2] += f.correction is not None
        return [MonthCounts(m, *row) for m, row in sorted(counts.items())]
