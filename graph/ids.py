"""Deterministic ids: the same content or name always gets the same id.

Hashes are sha256 truncated to 16 bytes (32 hex characters): 128 bits make a collision in a
graph of a billion nodes a 1-in-10^20 event, and keep ids short enough to read in Cypher.
"""

import hashlib

_ID_HEX_CHARS = 32


def stable_hash(*parts: str) -> str:
    """Hash of the parts, separated so that ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:_ID_HEX_CHARS]


def content_hash(text: str) -> str:
    """Full sha256 of a text, for change detection."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_id(uri: str) -> str:
    return stable_hash("document", uri)


def chunk_id(doc_id: str, text_hash: str, occurrence: int) -> str:
    """A chunk's id depends on its text, not its position, so an edit elsewhere in the
    document keeps it (and its vector); `occurrence` separates repeated identical passages."""
    return stable_hash("chunk", doc_id, text_hash, str(occurrence))


def entity_id(normalised_name: str) -> str:
    return stable_hash("entity", normalised_name)


def relation_id(source_id: str, predicate: str, target_id: str) -> str:
    return stable_hash("relation", source_id, predicate, target_id)
