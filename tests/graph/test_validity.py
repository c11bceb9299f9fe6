"""Which documents are newer versions of which, and until when a relation held."""

from groundgraph.graph.model import Document, Relation
from groundgraph.graph.validity import relation_validity, superseded_by


def document(name: str, title: str, day: str, source: str = "front matter") -> Document:
    return Document(
        name, f"file:///{name}", title, "/", "h", effective_date=day, date_source=source
    )


SPRING = document("spring.md", "Support roster", "2024-01-08")
SUMMER = document("summer.md", "Support  ROSTER", "2024-07-01")
AUTUMN = document("autumn.md", "Support roster", "2024-10-01", "first lines")


def test_a_newer_document_of_the_same_title_supersedes_the_older() -> None:
    newer = superseded_by([AUTUMN, SUMMER, SPRING])
    assert {old: new.id for old, new in newer.items()} == {
        "spring.md": "summer.md",
        "summer.md": "autumn.md",
    }


def test_logs_copies_and_undated_documents_supersede_nothing() -> None:
    minutes = [
        document("m1.md", "Board minutes 24 September 2024", "2024-09-24", "title"),
        document("m2.md", "Board minutes 15 October 2024", "2024-10-15", "title"),
    ]
    copied = document("copy.md", "Support roster", "2024-12-01", "file modified")
    undated = document("undated.md", "Support roster", "", "")
    same_day = document("again.md", "Support roster", "2024-01-08")
    assert superseded_by([*minutes, SPRING, copied, undated, same_day]) == {}


def relation(*chunks: str) -> Relation:
    return Relation("r", "a", "b", "lead", 1.0, chunks)


def test_a_relation_holds_until_every_document_stating_it_has_a_version_without_it() -> None:
    newer = superseded_by([SPRING, SUMMER, AUTUMN])
    undated = document("notes.md", "Notes", "", "")
    chunks = {"c-spring": SPRING, "c-summer": SUMMER, "c-autumn": AUTUMN, "c-notes": undated}
    dropped = relation_validity(relation("c-spring"), chunks, newer)
    assert (dropped.valid_from, dropped.valid_until) == ("2024-01-08", "2024-07-01")
    assert [d.id for d in dropped.superseded_by] == ["summer.md"]
    kept_for_a_while = relation_validity(relation("c-spring", "c-summer"), chunks, newer)
    assert (kept_for_a_while.valid_until, [d.id for d in kept_for_a_while.superseded_by]) == (
        "2024-10-01",
        ["autumn.md"],
    )
    for current in (relation("c-spring", "c-autumn"), relation("c-spring", "c-notes")):
        assert relation_validity(current, chunks, newer).valid_until == ""
