"""Reading files into `SourceDocument`s: text, Markdown, HTML, JSON/JSONL records and PDF.

Each reader either returns documents or raises `SourceError` naming the file and the
reason, so one bad file never stops a batch. JSON readers report bad records one by one and
keep the good ones.
"""

import codecs
import errno
import io
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from groundgraph.ingest.base import FileError, SourceDocument, SourceError
from groundgraph.ingest.html import html_to_text
from groundgraph.ingest.settings import IngestSettings

# A NUL byte in the first 8 KiB is how git and grep tell binary from text.
_BINARY_SNIFF_BYTES = 8192


def uri_path(uri: str) -> Path:
    """The file a `file://` document URI points at (any `#record` part dropped)."""
    return Path(unquote(urlparse(uri.split("#", 1)[0]).path))


def read_bytes(path: Path, settings: IngestSettings) -> bytes:
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise SourceError(
                str(path),
                f"file is {size} bytes, over ingest.max_file_bytes ({settings.max_file_bytes})",
            )
        return path.read_bytes()
    except OSError as e:
        raise SourceError(str(path), f"cannot read file: {e.strerror or e}") from e


# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(path: Path, data: bytes) -> str:
    """Text of a file: the encoding its byte-order mark names, else UTF-8."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise SourceError(str(path), "binary file (contains NUL bytes), not text")
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as e:
        raise SourceError(
            str(path),
            f"not valid {encoding or 'UTF-8'}: byte 0x{data[e.start]:02x} at offset {e.start}",
        ) from e
    if not text.strip():
        raise SourceError(str(path), "empty file (no text)")
    return text


def file_title(path: Path) -> str:
    """A readable title from a file name: `marie_curie.txt` is "marie curie"."""
    return " ".join(path.stem.replace("_", " ").replace("-", " ").split()) or path.name


def _markdown_title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _document(path: Path, title: str, text: str, source: str) -> SourceDocument:
    """A whole-file document; without a title of its own it is named after the file."""
    return SourceDocument(
        path.resolve().as_uri(), title or file_title(path), text, source, named_title=bool(title)
    )


def read_text(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    text = decode_text(path, read_bytes(path, settings))
    markdown = path.suffix.lower() in (".md", ".markdown")
    return [_document(path, _markdown_title(text) if markdown else "", text, source)]


def read_html(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    title, text = html_to_text(decode_text(path, read_bytes(path, settings)))
    if not text.strip():
        raise SourceError(str(path), "HTML page has no text outside scripts and styles")
    return [_document(path, title, text, source)]


def read_pdf(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    data = read_bytes(path, settings)
    with _pdf_warnings() as warned:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise SourceError(str(path), "PDF is encrypted; decrypt it first")
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise SourceError(str(path), f"cannot read PDF (damaged file?): {e}") from e
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text and warned:
        raise SourceError(str(path), f"cannot read PDF (damaged file?): {warned[0]}")
    if not text:
        raise SourceError(str(path), "PDF has no extractable text (scanned images?)")
    title = (reader.metadata.title if reader.metadata else None) or ""
    return [_document(path, str(title), text, source)]


@contextmanager
def _pdf_warnings() -> Iterator[list[str]]:
    """What pypdf logged while reading: a damaged stream shows as warnings, not errors."""
    found: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    handler = _Collect(level=logging.WARNING)
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


_TOO_DEEP = "JSON nested too deeply to read (thousands of levels)"


def _records(path: Path, text: str) -> Iterator[tuple[int, object]]:
    """(line, record) pairs of JSON Lines, or (position, record) of a JSON array/object."""
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as e:
                yield (
                    number,
                    SourceError(
                        str(path), f"malformed JSON at column {e.colno}: {e.msg}", line=number
                    ),
                )
            except RecursionError:
                yield number, SourceError(str(path), _TOO_DEEP, line=number)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(
            str(path), f"malformed JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from e
    except RecursionError:
        # Python's parser recurses per nesting level: thousands of `[` exhaust the stack.
        raise SourceError(str(path), _TOO_DEEP) from None
    items = data if isinstance(data, list) else [data]
    yield from enumerate(items)


def read_json(
    path: Path, settings: IngestSettings, source: str
) -> tuple[list[SourceDocument], list[FileError]]:
    text = decode_text(path, read_bytes(path, settings))
    base_uri = path.resolve().as_uri()
    docs: dict[str, SourceDocument] = {}
    errors: list[FileError] = []
    lines = path.suffix.lower() == ".jsonl"
    for position, record in _records(path, text):
        if isinstance(record, SourceError):
            errors.append(FileError(record.path, record.reason, record.line))
            continue
        label = f"line-{position}" if lines else f"record-{position}"
        problem, doc = _record_document(record, label, base_uri, settings, source)
        if doc is not None and doc.uri in docs:
            problem, doc = f"duplicate id {doc.uri.rsplit('#', 1)[1]!r}", None
        if doc is None:
            where = {"line": position} if lines else {}
            prefix = "" if lines else f"record {position}: "
            errors.append(FileError(str(path), prefix + problem, **where))
        else:
            docs[doc.uri] = doc
    if not docs and not errors:
        raise SourceError(str(path), "JSON file holds no records")
    return list(docs.values()), errors


def _record_document(
    record: object, label: str, base_uri: str, settings: IngestSettings, source: str
) -> tuple[str, SourceDocument | None]:
    if not isinstance(record, dict):
        return f"record is {type(record).__name__}, expected an object", None
    body = record.get(settings.json_text_field)
    if not isinstance(body, str) or not body.strip():
        return f"no text in field '{settings.json_text_field}' (ingest.json_text_field)", None
    record_id = record.get(settings.json_id_field)
    record_id = str(record_id) if record_id is not None else label
    title = record.get(settings.json_title_field)
    uri = f"{base_uri}#{quote(record_id, safe='')}"
    return "", SourceDocument(uri, str(title) if title else record_id, body, source, bool(title))


_Reader = Callable[[Path, IngestSettings, str], list[SourceDocument]]
_READERS: dict[str, _Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
}
SUPPORTED_SUFFIXES = (*_READERS, ".json", ".jsonl")


def read_source(
    path: Path, settings: IngestSettings, source: str
) -> tuple[list[SourceDocument], list[FileError]]:
    """Read one file; raises `SourceError` when nothing in it can be used."""
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        return read_json(path, settings, source)
    reader = _READERS.get(suffix)
    if reader is None:
        raise SourceError(
            str(path),
            f"unsupported file type '{suffix or path.name}' "
            f"(supported: {', '.join(SUPPORTED_SUFFIXES)})",
        )
    return reader(path, settings, source), []


def discover(
    paths: Iterable[Path], follow_external_symlinks: bool = False
) -> tuple[list[tuple[Path, str]], list[FileError]]:
    """Expand files and directory trees into (file, source root) pairs, sorted.

    Hidden files and folders (a leading dot) are left out of directory walks, and linked
    folders are not walked. A symbolic link to a file outside the folder being walked is
    reported and not followed unless `follow_external_symlinks`; a link that loops or points
    at nothing is reported. A path given by name is read wherever it points.
    """
    found: dict[Path, str] = {}
    errors: list[FileError] = []
    for raw in paths:
        root = Path(raw)
        try:
            resolved = root.resolve(strict=root.is_symlink())
        except (OSError, RuntimeError) as e:
            errors.append(FileError(str(root), _link_problem(e)))
            continue
        if root.is_dir():
            for file in _walk(root):
                problem = _external_link(file, resolved, follow_external_symlinks)
                if problem:
                    errors.append(FileError(str(file), problem))
                else:
                    found.setdefault(file, str(resolved))
        elif root.exists() or root.is_symlink():
            found.setdefault(root, str(resolved))
        else:
            errors.append(FileError(str(root), "no such file or directory"))
    return sorted(found.items()), errors


def _walk(root: Path) -> Iterator[Path]:
    """Files under `root`, without hidden names and without entering linked folders."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _external_link(file: Path, root: Path, allowed: bool) -> str:
    """Why a symbolic link found in a folder walk is not followed, or "" to read it."""
    if not file.is_symlink():
        return ""
    try:
        target = file.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        return _link_problem(e)
    if target.is_dir():
        return ""  # reached through os.walk's listing of files only when it is a file
    if allowed or target.is_relative_to(root):
        return ""
    return (
        f"symbolic link to {target}, outside the source folder {root}: not followed "
        "(set ingest.follow_external_symlinks = true to read it)"
    )


def _link_problem(error: Exception) -> str:
    if isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.ELOOP:
        return "symbolic link loop: the link points back at itself"
    if isinstance(error, FileNotFoundError):
        return "cannot read file: broken symbolic link (its target does not exist)"
    return f"cannot resolve path: {getattr(error, 'strerror', None) or error}"


def fingerprints(paths: Iterable[Path]) -> dict[str, str]:
    """Each file under `paths` as its URI and a cheap fingerprint of its size and mtime.

    Used to notice new and changed files without reading them; the content hash decides
    later whether a document really changed.
    """
    files, _ = discover(paths)
    found = {}
    for path, _source in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path.resolve().as_uri()] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return found
