"""Entity merges a person can see and correct: the merge log, `merge` and `split` kept by
every later ingest and refresh, through the API and the `entities` command."""

import json
from pathlib import Path

import pytest

from groundgraph import GroundGraph
from groundgraph.graph.errors import UsageError
from groundgraph.graph.ids import entity_id
from groundgraph.ingest.entity_decisions import PERSON_MERGE
from groundgraph.ingest.resolution import CONTAINED_NAME
from tests.conftest import open_store, write_corpus
from tests.groundgraph.test_cli import groundgraph

# "Baker" is Sarah Baker, the finance lead, not Tom Baker: the contained-name rule merges
# it into Tom Baker. "J. Smith" and "Jane Smith" are one person that no rule joins.
CORPUS = {
    "platform.md": "# Platform team\n\nTom Baker leads the Platform team. "
    "Baker approved the budget on Monday.\n",
    "board.md": "# Board minutes\n\nJ. Smith presented the budget to the board in Oslo.\n",
    "contract.md": "# Supplier contract\n\nJane Smith signed the contract with Harwood "
    "Systems in March.\n",
}


def names(gg: GroundGraph) -> dict[str, tuple[str, ...]]:
    return {e.name: e.aliases for e in gg.store.entities()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return write_corpus(folder, CORPUS)


def test_the_merge_log_lists_the_rule_the_documents_and_when(tmp_path: Path, corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([corpus]).ok
        [merge] = [m for m in gg.entity_log().merges if m.name == "Baker"]
    assert merge.into == "Tom Baker" and merge.rule == CONTAINED_NAME
    assert merge.documents == ((corpus / "platform.md").as_uri(),)
    assert merge.at  # the time the document was written


def test_a_split_stays_split_after_refresh_and_reingest(tmp_path: Path, corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([corpus]).ok
        assert "Baker" in names(gg)["Tom Baker"]
        report = gg.split_entity("Baker", "Tom Baker", note="Baker is Sarah Baker")
        assert report.rebuilt.updated == [(corpus / "platform.md").as_uri()]
        assert "Baker" in names(gg) and "Baker" not in names(gg)["Tom Baker"]
        assert gg.refresh().changed == 0
        (corpus / "platform.md").write_text(CORPUS["platform.md"] + "\nBaker left in May.\n")
        assert gg.refresh().updated == [(corpus / "platform.md").as_uri()]
        assert "Baker" in names(gg) and "Baker" not in names(gg)["Tom Baker"]
        assert not [m for m in gg.entity_log().merges if m.name == "Baker"]


def test_a_persons_merge_survives_reingest_of_both_documents(tmp_path: Path, corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([corpus]).ok
        assert "J. Smith" in names(gg)
        gg.merge_entities("J. Smith", "Jane Smith")
        assert "J. Smith" not in names(gg) and names(gg)["Jane Smith"] == ("J. Smith",)
        for name in ("board.md", "contract.md"):
            (corpus / name).write_text(CORPUS[name] + "\nThe minutes were approved.\n")
        assert sorted(gg.refresh().updated) == [
            (corpus / "board.md").as_uri(),
            (corpus / "contract.md").as_uri(),
        ]
        assert "J. Smith" not in names(gg) and names(gg)["Jane Smith"] == ("J. Smith",)
        jane = gg.entity_named("J. Smith")
        assert jane is not None and jane.entity.id == entity_id("jane smith")
        gg.split_entity("Baker", "Tom Baker")
        log = gg.entity_log()
    [merge] = [m for m in log.merges if m.name == "J. Smith"]
    assert merge.rule == PERSON_MERGE and merge.documents == ((corpus / "board.md").as_uri(),)
    assert merge.at == log.decisions[0].decided_at
    assert [(d.kind, d.name, d.into) for d in log.decisions] == [
        ("merge", "J. Smith", "Jane Smith"),
        ("split", "Baker", "Tom Baker"),
    ]


def test_a_merge_undone_by_a_split_restores_the_entity(tmp_path: Path, corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([corpus]).ok
        gg.merge_entities("J. Smith", "Jane Smith")
        gg.split_entity("J. Smith", "Jane Smith")
        assert "J. Smith" in names(gg) and names(gg)["Jane Smith"] == ()


def test_decisions_that_cannot_be_made_say_why(tmp_path: Path, corpus: Path) -> None:
    with open_store(tmp_path / "kg") as gg:
        assert gg.ingest([corpus]).ok
        with pytest.raises(UsageError, match="no entity is named 'Nobody'"):
            gg.merge_entities("Nobody", "Jane Smith")
        with pytest.raises(UsageError, match="are one name"):
            gg.merge_entities("jane smith", "Jane Smith")
        with pytest.raises(UsageError, match="is not merged into"):
            gg.split_entity("Oslo", "Jane Smith")
        gg.merge_entities("J. Smith", "Jane Smith")
        with pytest.raises(UsageError, match="split it first"):
            gg.merge_entities("Jane Smith", "J. Smith")
        assert len(gg.entity_log().decisions) == 1  # refused decisions are not recorded


def test_the_entities_command_merges_lists_shows_and_logs(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "kg"
    assert groundgraph("ingest", str(corpus), store=store).returncode == 0
    merged = groundgraph(
        "entities", "merge", "J. Smith", "--into", "Jane Smith", "--json", store=store
    )
    assert merged.returncode == 0, merged.stderr
    assert json.loads(merged.stdout)["rebuilt_documents"] == [(corpus / "board.md").as_uri()]
    log = json.loads(groundgraph("entities", "log", "--json", store=store).stdout)
    assert {(m["name"], m["into"], m["rule"]) for m in log["merges"]} >= {
        ("J. Smith", "Jane Smith", PERSON_MERGE),
        ("Baker", "Tom Baker", CONTAINED_NAME),
    }
    shown = json.loads(groundgraph("entities", "show", "J. Smith", "--json", store=store).stdout)
    assert shown["name"] == "Jane Smith" and shown["aliases"] == ["J. Smith"]
    listed = json.loads(groundgraph("entities", "list", "--json", store=store).stdout)
    assert "Jane Smith" in {e["name"] for e in listed} and "J. Smith" not in {
        e["name"] for e in listed
    }
    refused = groundgraph("entities", "split", "Oslo", "--from", "Jane Smith", store=store)
    assert refused.returncode == 2 and "is not merged into" in refused.stderr
