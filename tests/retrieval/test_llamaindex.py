"""The llama-index adapter serves groundgraph's retrieval to a llama-index query engine."""

from llama_index.core.llms.mock import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.context_only import ContextOnly

from groundgraph import GroundGraph
from groundgraph.retrieval.retrievers.llamaindex import GroundGraphRetriever


def test_adapter_returns_nodes_with_provenance(demo_store: GroundGraph) -> None:
    nodes = GroundGraphRetriever(demo_store.retriever, top_k=3).retrieve(
        "Which university did Albert Einstein graduate from?"
    )
    assert len(nodes) == 3
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    top = nodes[0]
    assert top.node.metadata["document_title"] == "Albert Einstein"
    source = top.node.metadata["document_uri"]
    chunk = demo_store.store.chunks([top.node.node_id])[0]
    assert (top.node.metadata["start"], top.node.metadata["end"]) == (chunk.start, chunk.end)
    assert top.node.get_content() == chunk.text and source.startswith("file://")


def test_retriever_query_engine_answers_from_groundgraph_context(demo_store: GroundGraph) -> None:
    # ContextOnly answers with the retrieved context itself: the engine makes no LLM call (the
    # MockLLM only fills the synthesizer's slot, which would otherwise demand an OpenAI key).
    synthesizer = ContextOnly(llm=MockLLM())
    engine = RetrieverQueryEngine(
        retriever=GroundGraphRetriever(demo_store.retriever), response_synthesizer=synthesizer
    )
    response = engine.query("Where was the founder of the Nobel Prizes born?")
    assert "born in Stockholm" in str(response)
    assert {n.node.metadata["document_title"] for n in response.source_nodes} >= {
        "Alfred Nobel",
        "The Nobel Prize",
    }
