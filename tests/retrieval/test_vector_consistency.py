"""The vector check, over the whole store and over the documents a write stored."""

from pathlib import Path

from groundgraph.retrieval.indexes.faiss_index import FaissIndex
from tests.conftest import open_store


def test_a_lost_vector_is_found_by_id_in_its_document_and_by_count_elsewhere(
    small_corpus: Path, tmp_path: Path
) -> None:
    with open_store(tmp_path / "store") as gg:
        assert gg.ingest([small_corpus]).ok
        store, vectors = gg.parts.store, gg.parts.vectors
        curie, other = sorted(store.documents(), key=lambda d: d.title != "Marie Curie")[:2]
        assert vectors.consistency(store).ok
        assert vectors.consistency(store, [curie.id]).ok
        published = vectors.directory / "chunks.npz"
        index = FaissIndex.load(published)
        index.remove([store.chunks(doc_id=curie.id)[0].id])
        index.save(published)
        full = vectors.consistency(store)
        assert (full.chunks_without_vector, full.vectors_without_chunk) == (1, 0)
        scoped = vectors.consistency(store, [curie.id])
        assert (scoped.chunks_without_vector, scoped.vectors_without_chunk) == (1, 0)
        by_count = vectors.consistency(store, [other.id])
        assert not by_count.ok and by_count.chunks_without_vector == 1
