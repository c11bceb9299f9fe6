"""Reading files into `SourceDocument`s: the reader for each file type, JSON/JSONL records,
and finding the files under the paths a user gives.

Each reader either returns documents or raises `SourceError` naming the file and the
reason, so one bad file never stops a batch. JSON readers report bad records one by one and
keep the good ones. Structured formats have readers of their own (`read_office.py`,
`read_csv.py`, `read_web.py`, `read_pdf.py`).
"""

import errno
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from groundgraph.ingest.base import FileError, SourceDocument, SourceError
from groundgraph.ingest.encoding import decode_text
from groundgraph.ingest.read_csv import read_csv
from groundgraph.ingest.read_office import read_docx, read_pptx, read_xlsx
from groundgraph.ingest.read_pdf import read_pdf
from groundgraph.ingest.read_web import read_html
from groundgraph.ingest.reading import file_document, read_bytes
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import markdown_structure


def uri_path(uri: str) -> Path:
    """The file a `file://` document URI points at (any `#record` part dropped)."""
    return Path(unquote(urlparse(uri.split("#", 1)[0]).path))


def _markdown_title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def read_text(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    text, encoding = decode_text(path, read_bytes(path, settings))
    if path.suffix.lower() not in (".md", ".markdown"):
        return [file_document(path, "", text, source, encoding=encoding)]
    stored, regions = markdown_structure(text)
    return [
        file_document(
            path, _markdown_title(text), stored, source, regions=regions, encoding=encoding
        )
    ]


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
    text, _ = decode_text(path, read_bytes(path, settings))
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
    ".docx": read_docx,
    ".pptx": read_pptx,
    ".xlsx": read_xlsx,
}
SUPPORTED_SUFFIXES = (*_READERS, ".csv", ".json", ".jsonl")


def read_source(
    path: Path, settings: IngestSettings, source: str
) -> tuple[list[SourceDocument], list[FileError]]:
    """Read one file; raises `SourceError` when nothing in it can be used."""
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        return read_json(path, settings, source)
    if suffix == ".csv":
        return read_csv(path, settings, source)
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
