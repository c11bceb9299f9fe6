"""The FAISS index: keyed vectors, removal, exact and HNSW search, atomic persistence."""

from pathlib import Path

import numpy as np
import pytest

from groundgraph.graph.ids import stable_hash
from groundgraph.retrieval.base import RetrievalError
from groundgraph.retrieval.indexes.faiss_index import FaissIndex

KEYS = [stable_hash(str(i)) for i in range(4)]


def unit_vectors() -> np.ndarray:
    return np.eye(4, dtype=np.float32)


def test_adding_an_existing_key_replaces_its_vector() -> None:
    index = FaissIndex(4, "test-embedder")
    index.add(KEYS[:1], unit_vectors()[:1], ["a"])
    index.add(KEYS[:1], unit_vectors()[3:4], ["a"])
    assert len(index) == 1
    np.testing.assert_array_equal(index.vectors(KEYS[:1]), unit_vectors()[3:4])


def test_saved_index_reloads_with_keys_labels_and_metadata(tmp_path: Path) -> None:
    index = FaissIndex(4, "test-embedder", "hnsw", hnsw_m=8)
    index.add(KEYS, unit_vectors(), ["a", "b", "c", "d"])
    index.save(tmp_path / "chunks.npz")
    loaded = FaissIndex.load(tmp_path / "chunks.npz")
    assert (loaded.embedder, loaded.kind, loaded.dimension) == ("test-embedder", "hnsw", 4)
    assert loaded.keys() == set(KEYS) and loaded.label(KEYS[3]) == "d"
    assert FaissIndex.header(tmp_path / "chunks.npz")["count"] == 4


def test_a_crash_while_saving_leaves_the_previous_index_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "chunks.npz"
    index = FaissIndex(4, "test-embedder")
    index.add(KEYS[:2], unit_vectors()[:2], ["a", "b"])
    index.save(path)
    index.add(KEYS[2:], unit_vectors()[2:], ["c", "d"])

    def crash(file, **arrays):
        file.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(RetrievalError, match=r"cannot write vector index.*disk full"):
        index.save(path)
    monkeypatch.undo()
    assert FaissIndex.load(path).keys() == set(KEYS[:2])
    assert [p.name for p in tmp_path.iterdir()] == ["chunks.npz"]  # no temporary file left


def test_unreadable_index_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "chunks.npz"
    path.write_bytes(b"not an index")
    with pytest.raises(RetrievalError, match=r"unreadable.*groundgraph refresh"):
        FaissIndex.load(path)


def test_fp16_index_scores_as_the_flat_one_within_half_precision(tmp_path: Path) -> None:
    vectors = np.random.default_rng(7).normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [f"{i:032x}" for i in range(200)]
    flat, half = FaissIndex(16, "e", "flat"), FaissIndex(16, "e", "fp16")
    for index in (flat, half):
        index.add(keys, vectors, keys)
    half.save(tmp_path / "half.npz")
    half = FaissIndex.load(tmp_path / "half.npz")
    assert half.kind == "fp16"
    exact, approx = flat.search(vectors[:20], 5), half.search(vectors[:20], 5)
    assert [[k for k, _ in row] for row in approx] == [[k for k, _ in row] for row in exact]
    for row_a, row_e in zip(approx, exact, strict=True):
        assert [s for _, s in row_a] == pytest.approx([s for _, s in row_e], abs=1e-3)
