"""A FAISS vector index keyed by string ids, persisted atomically in one file.

FAISS ids are int64, so each key maps to the first 60 bits of its hex hash (keys are
groundgraph's 128-bit ids). The index, its keys, their labels and the metadata (embedder and
dimension) are written to a temporary file and renamed over the old one: a crash leaves the
previous index whole.
"""

import errno
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from groundgraph.retrieval.base import RetrievalError

IndexKind = Literal["flat", "fp16", "hnsw"]

# 15 hex digits = 60 bits, positive in int64. By the birthday bound, a million keys collide
# with odds of about (2^20)^2 / 2^61 = 1 in 2 million.
_ID_HEX = 15


def _int_id(key: str) -> int:
    try:
        return int(key[:_ID_HEX], 16)
    except ValueError as e:
        raise RetrievalError(f"vector key {key!r} is not a hex id") from e


# What numpy, zipfile and json raise on a truncated or garbled file.
_UNREADABLE = (OSError, ValueError, KeyError, RuntimeError, EOFError, zipfile.BadZipFile, TypeError)


class DamagedIndexError(RetrievalError):
    """An index file cannot be read; the store's write path rebuilds it from the graph."""

    def __init__(self, path: Path, cause: Exception) -> None:
        super().__init__(
            f"vector index {path} is unreadable ({type(cause).__name__}: {cause}); run "
            "`groundgraph refresh` (or `groundgraph check --repair`) to rebuild it from the graph"
        )
        self.path = path


def _full(error: OSError) -> bool:
    return error.errno == errno.ENOSPC


class FaissIndex:
    """A `VectorIndex` on `faiss.IndexIDMap2`: exact (`flat`), exact over vectors stored in
    half precision (`fp16`: half the memory a search reads, for the entity-name index), or
    approximate (`hnsw`).

    Args:
        dimension: vector length.
        embedder: name of the model that made the vectors, recorded with the index.
        kind: `flat` or `fp16` for exact inner-product search, `hnsw` for a graph index.
        hnsw_m: neighbours per HNSW node.
    """

    def __init__(
        self,
        dimension: int,
        embedder: str,
        kind: IndexKind = "flat",
        hnsw_m: int = 32,
    ) -> None:
        self.dimension = dimension
        self.embedder = embedder
        self.kind = kind
        self.hnsw_m = hnsw_m
        self.variants: set[str] = set()
        self._index: faiss.Index = self._empty()
        self._labels: dict[str, str] = {}
        self._by_int: dict[int, str] = {}

    def _empty(self) -> faiss.IndexIDMap2:
        inner: faiss.Index
        if self.kind == "hnsw":
            inner = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        elif self.kind == "fp16":
            inner = faiss.IndexScalarQuantizer(
                self.dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
        else:
            inner = faiss.IndexFlatIP(self.dimension)
        return faiss.IndexIDMap2(inner)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __contains__(self, key: object) -> bool:
        return key in self._labels

    def keys(self) -> set[str]:
        return set(self._labels)

    def label(self, key: str) -> str:
        return self._labels[key]

    def add(self, keys: Sequence[str], vectors: np.ndarray, labels: Sequence[str]) -> None:
        if len(keys) != len(vectors) or len(keys) != len(labels):
            raise RetrievalError("add: keys, vectors and labels differ in length")
        if len(keys) and vectors.shape[1] != self.dimension:
            raise RetrievalError(
                f"vectors have dimension {vectors.shape[1]}, the index {self.dimension}"
            )
        self.remove([k for k in keys if k in self._labels])
        ints = np.array([_int_id(k) for k in keys], dtype=np.int64)
        if len(keys):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ints)
        for key, label, value in zip(keys, labels, ints, strict=True):
            self._labels[key] = label
            self._by_int[int(value)] = key

    def remove(self, keys: Sequence[str]) -> None:
        present = [k for k in keys if k in self._labels]
        if not present:
            return
        if self.kind == "hnsw":
            # HNSW cannot delete in place; rebuild from the vectors it keeps.
            keep = [k for k in self._labels if k not in set(present)]
            vectors = self.vectors(keep)
            labels = [self._labels[k] for k in keep]
            self._index, self._labels, self._by_int = self._empty(), {}, {}
            self.add(keep, vectors, labels)
            return
        # faiss's Python wrapper takes an id array here; its stubs name only IDSelector.
        removed = np.array([_int_id(k) for k in present], dtype=np.int64)
        self._index.remove_ids(removed)  # type: ignore[arg-type]
        for key in present:
            del self._labels[key]
            del self._by_int[_int_id(key)]

    def vectors(self, keys: Sequence[str]) -> np.ndarray:
        """The stored vectors of `keys` (all must be present)."""
        out = np.zeros((len(keys), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self._index.reconstruct(_int_id(key))
        return out

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        if len(self) == 0:
            return [[] for _ in range(len(vectors))]
        scores, ints = self._index.search(
            np.ascontiguousarray(vectors, dtype=np.float32), min(k, len(self))
        )
        return [
            [(self._by_int[int(i)], float(s)) for s, i in zip(row_s, row_i, strict=True) if i >= 0]
            for row_s, row_i in zip(scores, ints, strict=True)
        ]

    def save(self, path: Path) -> None:
        """Write to `path` atomically: a temporary file beside it, fsynced, then renamed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        keys = list(self._labels)
        serialized = faiss.serialize_index(self._index)
        meta = {
            "embedder": self.embedder,
            "dimension": self.dimension,
            "kind": self.kind,
            "hnsw_m": self.hnsw_m,
            "count": len(keys),
            "variants": sorted(self.variants),
            "sha256": hashlib.sha256(serialized.tobytes()).hexdigest(),
        }
        try:
            with open(tmp, "wb") as f:
                np.savez(
                    f,
                    index=serialized,
                    keys=np.array(keys, dtype=str),
                    labels=np.array([self._labels[k] for k in keys], dtype=str),
                    meta=np.array(json.dumps(meta)),
                )
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise RetrievalError(
                f"cannot write vector index {path}: {e.strerror or e}"
                + ("; free some disk space and run `groundgraph refresh`" if _full(e) else "")
            ) from e
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @staticmethod
    def header(path: Path) -> dict:
        """The metadata saved with the index file at `path` (count, embedder, variants, ...),
        read without loading the index."""
        try:
            with np.load(path) as data:
                meta = json.loads(str(data["meta"]))
                int(meta["count"])
                return meta
        except _UNREADABLE as e:
            raise DamagedIndexError(path, e) from e

    @staticmethod
    def stored_keys(path: Path) -> list[str]:
        """The keys of the index file at `path`, read without loading the index itself."""
        try:
            with np.load(path) as data:
                return data["keys"].tolist()
        except _UNREADABLE as e:
            raise DamagedIndexError(path, e) from e

    @classmethod
    def load(cls, path: Path) -> "FaissIndex":
        """Read an index file, checking it before FAISS sees it: FAISS aborts the whole
        process on some garbled input, so the bytes must match the checksum saved with them.

        Raises:
            DamagedIndexError: the file is truncated, garbled or not an index.
        """
        try:
            with np.load(path) as data:
                meta = json.loads(str(data["meta"]))
                serialized = data["index"]
                keys, labels = data["keys"].tolist(), data["labels"].tolist()
            digest = hashlib.sha256(serialized.tobytes()).hexdigest()
            if meta.get("sha256", digest) != digest:
                raise ValueError("its content does not match the checksum saved with it")
            if len(keys) != meta["count"] or len(labels) != len(keys):
                raise ValueError("its keys do not match its count")
            index = cls(meta["dimension"], meta["embedder"], meta["kind"], meta["hnsw_m"])
            index.variants = set(meta.get("variants", ()))
            index._index = faiss.deserialize_index(serialized)
        except _UNREADABLE as e:
            raise DamagedIndexError(path, e) from e
        index._labels = dict(zip(keys, labels, strict=True))
        index._by_int = {_int_id(k): k for k in keys}
        return index
