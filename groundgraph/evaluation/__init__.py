"""Is a store answering well? Questions with known answers, asked and judged, as a CI gate.

An evaluation file is JSON Lines, one question a line:
`{"question": "…", "answers": ["…", "alias"], "sources": ["file name or URI"], "type": "…"}`,
`answers` null for a question no document answers (the right reply is to abstain), `sources`
and `type` optional. An answer is *correct* when it is grounded and its short answer contains
one of the aliases, compared lowercased with punctuation and articles dropped (a quote with
no short answer names nothing, so it is not counted); for a must-abstain question, when it
is not grounded. It is *grounded but wrong* when it claims grounding and is not correct: the
failure a user cannot see. Recall@k is the share of the expected sources among the documents
of the top k passages.

Each run is kept under the store (`evaluations/`), named by the evaluation file and the store
version, so a later run can be compared with it: which questions changed, and how.
"""

from groundgraph.evaluation.judging import contains, judge, normalise_answer, source_recall
from groundgraph.evaluation.questions import EvalQuestion, eval_question, read_eval_file
from groundgraph.evaluation.reports import (
    Change,
    Comparison,
    EvalReport,
    QuestionResult,
    Totals,
    compare,
)
from groundgraph.evaluation.runs import evaluate, evaluate_file, load_previous, save

__all__ = [
    "Change",
    "Comparison",
    "EvalQuestion",
    "EvalReport",
    "QuestionResult",
    "Totals",
    "compare",
    "contains",
    "eval_question",
    "evaluate",
    "evaluate_file",
    "judge",
    "load_previous",
    "normalise_answer",
    "read_eval_file",
    "save",
    "source_recall",
]
