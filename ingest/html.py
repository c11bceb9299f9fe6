"""HTML to plain text: the visible text, one line per block, without scripts or styles; and
the same with its headings and tables kept as structure, for pages too small for
trafilatura to find their main content in (an intranet page that is one table)."""

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode

from groundgraph.ingest.structure import Region, TextBuilder

_WHITESPACE = re.compile(r"\s+")
_DROPPED = ("script", "style", "noscript", "template", "svg", "head")
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)


def html_to_text(html: str) -> tuple[str, str]:
    """The page's title and its visible text, one paragraph per block element."""
    tree = HTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    tree.strip_tags(list(_DROPPED))
    root = tree.body or tree.root
    if root is None:
        return title, ""
    parts: list[str] = []
    for node in root.traverse(include_text=True):
        if node.tag == "-text":
            parts.append(_WHITESPACE.sub(" ", node.text_content or ""))
        elif node.tag in _BLOCKS:
            parts.append("\n")
    blocks = (" ".join(block.split()) for block in "".join(parts).split("\n"))
    # Blocks are paragraphs: a blank line between them ends a sentence for spaCy as well.
    return title, "\n\n".join(block for block in blocks if block)


_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_PARAGRAPHS = frozenset({"p", "li", "dt", "dd", "pre", "blockquote", "figcaption", "address"})


def html_structure(html: str) -> tuple[str, str, tuple[Region, ...]]:
    """The page's title, and its visible text with headings as sections and tables as rows
    (`TextBuilder`), every other block a paragraph."""
    tree = HTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    tree.strip_tags(list(_DROPPED))
    root = tree.body or tree.root
    builder = TextBuilder()
    if root is not None:
        _add_nodes(builder, root)
    text, regions = builder.build()
    return title, text, regions


def _add_nodes(builder: TextBuilder, node: LexborNode) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            builder.paragraph(" ".join((child.text_content or "").split()))
        elif tag in _HEADINGS:
            builder.heading(_block_text(child), _HEADINGS[tag])
        elif tag == "table":
            rows = [[_block_text(c) for c in tr.css("th, td")] for tr in child.css("tr")]
            first = child.css_first("tr")
            builder.table(rows, header=first is not None and first.css_first("th") is not None)
        elif tag in _PARAGRAPHS:
            text = _block_text(child)
            builder.paragraph(f"- {text}" if tag == "li" and text else text)
        else:
            _add_nodes(builder, child)


def _block_text(node: LexborNode) -> str:
    return " ".join(node.text(separator="").split())
