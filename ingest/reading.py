"""What every file reader shares: reading a file's bytes within the size limit, and making
the document record of a whole file."""

from pathlib import Path

from groundgraph.ingest.base import SourceDocument, SourceError
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import Region


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


def file_title(path: Path) -> str:
    """A readable title from a file name: `marie_curie.txt` is "marie curie"."""
    return " ".join(path.stem.replace("_", " ").replace("-", " ").split()) or path.name


def file_document(
    path: Path,
    title: str,
    text: str,
    source: str,
    *,
    regions: tuple[Region, ...] = (),
    author: str = "",
    created: str = "",
    modified: str = "",
    encoding: str = "",
) -> SourceDocument:
    """A whole-file document; without a title of its own it is named after the file."""
    return SourceDocument(
        path.resolve().as_uri(),
        title or file_title(path),
        text,
        source,
        named_title=bool(title),
        regions=regions,
        author=author,
        created=created,
        modified=modified,
        encoding=encoding,
        file_modified=_modified(path),
    )


def _modified(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
