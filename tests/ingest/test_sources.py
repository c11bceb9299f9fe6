"""Reading files: every supported format, and a specific error for every kind of bad input."""

import json
import random
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import NameObject

from groundgraph.ingest.base import SourceError
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.sources import discover, read_source

SETTINGS = IngestSettings()


def read(path: Path):
    return read_source(path, SETTINGS, str(path.parent))


def test_markdown_title_comes_from_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("intro\n# Marie Curie\n\nShe was born in Warsaw.\n")
    (doc,), errors = read(path)
    assert doc.title == "Marie Curie" and "Warsaw" in doc.text and not errors
    assert doc.uri == path.resolve().as_uri()


def test_html_keeps_visible_text_and_drops_scripts_and_styles(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Curie</title><style>p{color:red}</style></head><body>"
        "<h1>Marie <b>Curie</b></h1><script>var secret = 1;</script>"
        "<p>She was born\n in <a href='#'>Warsaw</a>.</p></body></html>"
    )
    (doc,), _ = read(path)
    assert doc.title == "Curie"
    assert doc.text == "Marie Curie\n\nShe was born in Warsaw."


def test_jsonl_records_become_documents_and_bad_records_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(
        json.dumps({"id": "a", "title": "A", "text": "Alan Turing was born in London."})
        + "\n"
        + '{"id": "b", "text": \n'
        + json.dumps({"id": "c", "body": "no text field"})
        + "\n"
        + json.dumps({"id": "a", "text": "duplicate id"})
        + "\n"
    )
    docs, errors = read(path)
    assert [d.uri.rsplit("#", 1)[1] for d in docs] == ["a"]
    lines = [str(e) for e in errors]
    assert lines[0].startswith(f"{path}:2: malformed JSON")
    assert lines[1] == f"{path}:3: no text in field 'text' (ingest.json_text_field)"
    assert lines[2] == f"{path}:4: duplicate id 'a'"


def test_json_text_and_id_fields_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"key": "x/1", "body": "Ada Lovelace wrote notes."}]))
    settings = IngestSettings(json_text_field="body", json_id_field="key")
    (doc,), errors = read_source(path, settings, str(tmp_path))
    assert doc.uri.endswith("#x%2F1") and doc.text == "Ada Lovelace wrote notes." and not errors


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({NameObject("/Title"): "Blank"})
    writer.write(path)
    with pytest.raises(SourceError, match="no extractable text"):
        read(path)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("empty.md", b"  \n\n ", "empty file"),
        (
            "noise.txt",
            bytes(random.Random(1).choices(range(1, 256), k=4000)),
            "not valid UTF-8 (byte 0xd9 at offset 1) and no other text encoding fits its bytes",
        ),
        ("broken.json", b'{"id": 1, "text": "unclosed', "malformed JSON at line 1 column 19"),
        ("picture.png", b"\x89PNG", "unsupported file type '.png'"),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf", "cannot read PDF"),
    ],
)
def test_bad_input_gives_a_specific_error(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.path == str(path)
    assert reason in caught.value.reason


def test_unreadable_file_gives_a_specific_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.symlink_to(tmp_path / "missing-target.txt")
    with pytest.raises(SourceError, match="cannot read file"):
        read(path)


def test_discover_walks_trees_skips_hidden_and_reports_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("one")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.txt").write_text("hidden")
    (tmp_path / "two.md").write_text("two")
    files, errors = discover([tmp_path, tmp_path / "nope.txt"])
    assert [f.name for f, _ in files] == ["one.txt", "two.md"]
    assert errors[0].path.endswith("nope.txt") and "no such file" in errors[0].reason
