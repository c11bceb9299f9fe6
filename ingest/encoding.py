"""Decoding text files: the byte-order mark's encoding, else UTF-8, else the encoding
`charset-normalizer` detects (Latin-1, Windows-1252, Shift JIS, ...), which is recorded on
the document so a reader can tell how its bytes were read."""

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from groundgraph.ingest.base import SourceError

# A NUL byte in the first 8 KiB is how git and grep tell binary from text.
_BINARY_SNIFF_BYTES = 8192

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Detection is asked to explain at most this much of a file: enough to be sure, and fast.
_DETECT_BYTES = 256 * 1024


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """A file's text and the encoding it was read in.

    Raises:
        SourceError: the file is binary, empty, or in no encoding that fits its bytes.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise SourceError(str(path), "binary file (contains NUL bytes), not text")
    try:
        text = data.decode(encoding or "utf-8")
        encoding = encoding or "utf-8"
    except UnicodeDecodeError as e:
        if encoding is not None:
            raise SourceError(
                str(path), f"not valid {encoding}: byte 0x{data[e.start]:02x} at offset {e.start}"
            ) from e
        text, encoding = _detected(path, data, e)
    if not text.strip():
        raise SourceError(str(path), "empty file (no text)")
    return text, encoding


# Among encodings that explain the bytes equally well, the one most text is in (the web's
# default for legacy Western text): detection alone reads "Faïs, crêpes" in Windows-1252 as
# "Faďs, crępes" (Windows-1250), since both fit a short text as well.
_PREFERRED = "cp1252"


def _detected(path: Path, data: bytes, error: UnicodeDecodeError) -> tuple[str, str]:
    matches = list(from_bytes(data[:_DETECT_BYTES]))
    if matches:
        best = matches[0]
        ties = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
        fits = any(_PREFERRED in m.could_be_from_charset for m in ties)
        encoding = _PREFERRED if fits else best.encoding
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass  # the sample fitted, the whole file does not
    raise SourceError(
        str(path),
        f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}) and no "
        "other text encoding fits its bytes",
    )
