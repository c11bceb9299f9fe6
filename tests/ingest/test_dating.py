"""A document's effective date, and where it came from (`ingest/dating.py`)."""

import pytest

from groundgraph.ingest.dating import effective_date


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        (
            "---\ntitle: Roster\ndate: 2024-07-01\n---\n# Roster",
            "Roster",
            ("2024-07-01", "front matter"),
        ),
        ("Minutes of the meeting.", "Board minutes 24 September 2024", ("2024-09-24", "title")),
        (
            "MEMO\nTO: All staff\nDATE: 9 January 2023\nOur office moves.",
            "memo",
            ("2023-01-09", "first lines"),
        ),
        (
            "Support roster\n\nTuesday, 3 March 2023\n\nLead: Ann Cole",
            "roster",
            ("2023-03-03", "first lines"),
        ),
        ("Last updated: March 2024\nPrices below.", "prices", ("2024-03-01", "first lines")),
    ],
)
def test_what_the_document_states_dates_it(
    text: str, title: str, expected: tuple[str, str]
) -> None:
    assert (
        effective_date(text, title, "2013-12-23T23:15:00", "2013-12-23T23:15:00", 1.7e9) == expected
    )


def test_dates_a_document_speaks_of_are_not_its_own() -> None:
    # a life range in the first sentence, a year alone, a title's aside: no date of the document
    text = "Marie Curie (7 November 1867 – 4 July 1934) was a physicist. Annual report 2023."
    assert effective_date(text, "Ricardo Fernandes (footballer, born January 1978)") == ("", "")


def test_file_properties_skip_a_template_stamp_older_than_the_file() -> None:
    # python-docx leaves its blank template's 2013 "modified" stamp on every new file
    assert effective_date("text", "t", "2025-03-20T09:00:00", "2013-12-23T23:15:00") == (
        "2025-03-20",
        "file properties",
    )
    assert effective_date("text", "t", "2024-01-02T00:00:00", "2024-05-06T10:00:00") == (
        "2024-05-06",
        "file properties",
    )


def test_without_any_stated_date_the_file_modification_time_dates_it() -> None:
    assert effective_date("text", "t", file_modified=1.7e9) == ("2023-11-14", "file modified")
    assert effective_date("text", "t") == ("", "")
