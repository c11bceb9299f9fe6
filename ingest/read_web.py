"""Reading HTML pages: the main content without navigation, sidebars and footers, with its
headings, lists and tables kept as structure, and the page's title, author and date.

trafilatura finds the main content and hands it over as XML (`<head rend="h2">`, `<p>`,
`<list>`, `<table>`), which becomes the stored text section by section. A page too small or
too bare for it to find main content in (a fragment, a page it can only flatten into one
paragraph: "Marie Curie She was born in Warsaw .") is read whole instead, visible text only,
its headings and tables kept as structure, one paragraph per other block.
"""

from pathlib import Path

import trafilatura
from lxml import etree

from groundgraph.ingest.base import SourceDocument, SourceError
from groundgraph.ingest.encoding import decode_text
from groundgraph.ingest.html import html_structure, html_to_text
from groundgraph.ingest.reading import file_document, read_bytes
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import TextBuilder


def read_html(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    html, encoding = decode_text(path, read_bytes(path, settings))
    doc = _main_content(html)
    main = None if doc is None else doc.find("main")
    title, text = html_to_text(html)
    if doc is None or main is None or _flattened(main, text):
        if not text.strip():
            raise SourceError(str(path), "HTML page has no text outside scripts and styles")
        title, text, regions = html_structure(html)
        return [file_document(path, title, text, source, regions=regions, encoding=encoding)]
    builder = TextBuilder()
    _add_blocks(builder, main)
    text, regions = builder.build()
    return [
        file_document(
            path,
            doc.get("title") or title,
            text,
            source,
            regions=regions,
            author=doc.get("author", ""),
            created=doc.get("date", ""),
            encoding=encoding,
        )
    ]


def _main_content(html: str) -> etree._Element | None:
    """trafilatura's `<doc>` of the page's main content, or None when it found none."""
    found = trafilatura.extract(
        html,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        with_metadata=True,
        favor_recall=True,
    )
    if not found:
        return None
    doc = etree.fromstring(found.encode())
    main = doc.find("main")
    if main is None or not _all_text(main).strip():
        return None
    return doc


def _flattened(main: etree._Element, visible: str) -> bool:
    """trafilatura found no structure: one paragraph, where the page has several blocks."""
    return len(main) == 1 and main[0].tag == "p" and "\n\n" in visible


def _add_blocks(builder: TextBuilder, main: etree._Element) -> None:
    for element in main:
        if element.tag == "head":
            level = (element.get("rend") or "h2").lstrip("h")
            builder.heading(_text(element), int(level) if level.isdigit() else 2)
        elif element.tag == "list":
            for item in element.findall("item"):
                builder.paragraph(f"- {_text(item)}")
        elif element.tag == "table":
            rows = [[_text(cell) for cell in row.iter("cell")] for row in element.iter("row")]
            first = next(element.iter("row"), None)
            header = first is not None and any(c.get("role") == "head" for c in first)
            builder.table(rows, header=header)
        else:
            builder.paragraph(_text(element))


def _text(element: etree._Element) -> str:
    return " ".join(_all_text(element).split())


def _all_text(element: etree._Element) -> str:
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)
