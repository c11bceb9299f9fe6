"""A llama-index retriever over groundgraph, so a llama-index query engine can use it.

    from llama_index.core.query_engine import RetrieverQueryEngine
    engine = RetrieverQueryEngine.from_args(GroundGraphRetriever(gg.retriever), llm=my_llm)

Each node carries the chunk text, and in its metadata the provenance a citation needs: the
document URI and title, the chunk's character span in the document, and the dense and graph
scores. Requires the `llamaindex` extra (`pip install "groundgraph[llamaindex]"`).
"""

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from groundgraph.retrieval.base import Retriever, ScoredChunk


def chunk_node(scored: ScoredChunk) -> NodeWithScore:
    """A llama-index node for a retrieved chunk, with its provenance in metadata."""
    chunk = scored.chunk
    metadata = {
        "document_uri": scored.document_uri,
        "document_title": scored.document_title,
        "chunk_id": chunk.id,
        "start": chunk.start,
        "end": chunk.end,
        "dense_score": scored.dense,
        "graph_score": scored.graph,
    }
    node = TextNode(
        id_=chunk.id,
        text=chunk.text,
        metadata=metadata,
        # Provenance is for the application, not for the LLM prompt or the embedding.
        excluded_llm_metadata_keys=[k for k in metadata if k != "document_title"],
        excluded_embed_metadata_keys=list(metadata),
    )
    return NodeWithScore(node=node, score=scored.score)


class GroundGraphRetriever(BaseRetriever):
    """A llama-index `BaseRetriever` that asks groundgraph's retriever.

    Args:
        retriever: any groundgraph `Retriever`, typically `GroundGraph(...).retriever`.
        top_k: chunks per query; the retriever's setting when omitted.
    """

    def __init__(self, retriever: Retriever, top_k: int | None = None) -> None:
        super().__init__()
        self._groundgraph = retriever
        self._top_k = top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        context = self._groundgraph.retrieve(query_bundle.query_str, self._top_k)
        return [chunk_node(scored) for scored in context.chunks]
