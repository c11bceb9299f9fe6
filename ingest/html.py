"""HTML to plain text: the visible text, one line per block, without scripts or styles."""

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

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
