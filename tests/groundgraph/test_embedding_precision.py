"""A store embedded in bfloat16 ranks the same top chunk as one embedded in float32."""

from pathlib import Path

from tests.conftest import open_store

QUESTIONS = (
    "Who discovered polonium?",
    "Where was Marie Curie born?",
    "What is the capital of Poland?",
)


def test_each_chunk_precision_gives_the_same_top_chunk(small_corpus: Path, tmp_path: Path) -> None:
    top: dict[str, list[str]] = {}
    for precision in ("float32", "bfloat16"):
        settings = {"embedding_precision": precision}
        with open_store(tmp_path / precision, retrieval=settings) as gg:
            assert gg.ingest([small_corpus]).ok
            top[precision] = [gg.retrieve(q).chunks[0].chunk.id for q in QUESTIONS]
    assert top["bfloat16"] == top["float32"]
