"""`groundgraph eval`: the demo's questions asked and judged, the bars as a CI gate, and two
store versions compared."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundgraph import GroundGraph
from groundgraph.cli import app
from groundgraph.evaluation import EvalQuestion, judge, source_recall
from tests.conftest import DEMO_CORPUS, copy_small_corpus, open_store

DEMO_QUESTIONS = DEMO_CORPUS.parent / "questions.jsonl"


def write_questions(path: Path, rows: list[dict | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_demo_questions_print_a_table_and_pass(demo_store: GroundGraph) -> None:
    result = CliRunner().invoke(
        app, ["eval", str(DEMO_QUESTIONS), "--store", str(demo_store.directory)]
    )
    assert result.exit_code == 0, result.output
    assert "correct" in result.output and "all" in result.output
    as_json = CliRunner().invoke(
        app, ["eval", str(DEMO_QUESTIONS), "--store", str(demo_store.directory), "--json"]
    )
    report = json.loads(as_json.stdout)
    overall = report["totals"]["all"]
    assert overall["questions"] == len(DEMO_QUESTIONS.read_text().splitlines())
    assert overall["abstained_when_unanswerable"] == 1.0
    assert overall["correct"] >= 0.8 and overall["grounded_wrong"] <= 0.1


def test_a_bar_the_run_misses_exits_1_naming_the_question(
    demo_store: GroundGraph, tmp_path: Path
) -> None:
    file = write_questions(
        tmp_path / "gate.jsonl",
        [
            {"question": "Who discovered polonium?", "answers": ["Marie Curie", "Pierre Curie"]},
            {"question": "Who designed the Eiffel Tower?", "answers": ["Gustave Eiffel"]},
        ],
    )
    store = str(demo_store.directory)
    missed = CliRunner().invoke(app, ["eval", str(file), "--store", store, "--min-correct", "1"])
    assert missed.exit_code == 1
    assert "below the bar" in missed.output and "Who designed the Eiffel Tower?" in missed.output
    met = CliRunner().invoke(app, ["eval", str(file), "--store", store, "--min-correct", "0.5"])
    assert met.exit_code == 0, met.output


def test_an_unusable_line_is_named_and_the_rest_are_asked(
    demo_store: GroundGraph, tmp_path: Path
) -> None:
    file = write_questions(
        tmp_path / "broken.jsonl",
        [
            {"question": "Where was Marie Curie born?", "answers": ["Warsaw"]},
            '{"question": "no answers field"}',
            "not json",
        ],
    )
    report = demo_store.evaluate(file, keep=False)
    assert [r.question for r in report.results] == ["Where was Marie Curie born?"]
    missing, not_json = report.errors
    assert missing.line == 2 and "'answers' is missing" in missing.reason
    assert not_json.line == 3 and not_json.path == str(file)
    cli = CliRunner().invoke(app, ["eval", str(file), "--store", str(demo_store.directory)])
    assert cli.exit_code == 1 and f"{file}:2:" in cli.output


def test_compare_shows_what_changed_between_two_store_versions(tmp_path: Path) -> None:
    corpus = copy_small_corpus(tmp_path)
    store = tmp_path / "store"
    with open_store(store) as gg:
        assert gg.ingest([corpus]).ok
    file = write_questions(
        tmp_path / "questions.jsonl",
        [
            {"question": "Where was Marie Curie born?", "answers": ["Warsaw"]},
            {"question": "When did Pierre Curie die?", "answers": ["1906"]},
        ],
    )
    runner = CliRunner()
    assert runner.invoke(app, ["eval", str(file), "--store", str(store)]).exit_code == 0
    removed = runner.invoke(app, ["delete", str(corpus / "pierre_curie.md"), "--store", str(store)])
    assert removed.exit_code == 0, removed.output
    compared = runner.invoke(
        app, ["eval", str(file), "--store", str(store), "--compare", "last", "--json"]
    )
    comparison = json.loads(compared.stdout)["comparison"]
    assert comparison["after_version"] > comparison["before_version"]
    [change] = comparison["changes"]
    assert change["question"] == "When did Pierre Curie die?"
    assert change["before"].startswith("correct") and not change["after"].startswith("correct")
    before = runner.invoke(
        app,
        ["eval", str(file), "--store", str(store), "--compare", str(comparison["before_version"])],
    )
    assert "When did Pierre Curie die?" in before.output


@pytest.mark.parametrize(
    ("answers", "grounded", "short", "correct"),
    [
        (("Warsaw",), True, "Warsaw, Poland", True),
        (("Warsaw",), True, "Paris", False),
        (("Warsaw",), False, "Warsaw", False),  # not grounded is not an answer
        (("Warsaw",), True, None, False),  # a quote naming nothing is not an answer
        (None, False, None, True),  # abstaining where no document answers
        (None, True, "Paris", False),
    ],
)
def test_judging(answers, grounded: bool, short: str | None, correct: bool) -> None:
    assert judge(EvalQuestion("q", answers), grounded, short) is correct


def test_source_recall_matches_file_names_and_records() -> None:
    retrieved = ["file:///docs/a.md", "file:///docs/laureates.jsonl#physics-1921"]
    assert source_recall(["a.md", "laureates.jsonl", "b.md"], retrieved) == pytest.approx(2 / 3)
    assert source_recall([], retrieved) is None
