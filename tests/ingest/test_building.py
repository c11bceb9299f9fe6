"""Building document graphs in worker processes gives what one process gives, in order."""

import os

import pytest

from groundgraph.ingest.base import Extraction, FileError, IngestError, ParsedText, SourceDocument
from groundgraph.ingest.building import TASK_DOCUMENTS, build_graphs, build_in_processes
from groundgraph.ingest.extract_spacy import SpacyExtractor
from groundgraph.ingest.settings import IngestSettings

SETTINGS = IngestSettings()


class FailingOn(SpacyExtractor):
    """The spaCy extractor, failing on texts containing a marker word."""

    def __init__(self, marker: str, exit_process: bool = False) -> None:
        super().__init__(SETTINGS.entity_types)
        self.marker = marker
        self.exit_process = exit_process

    def extract(self, parsed: ParsedText) -> Extraction:
        if self.marker in parsed.text:
            if self.exit_process:
                os._exit(3)
            raise ValueError(f"cannot read '{self.marker}'")
        return super().extract(parsed)


def documents(n: int) -> list[SourceDocument]:
    return [
        SourceDocument(
            f"mem://doc/{i}",
            f"Doc {i}",
            f"Ada Lovelace{i} wrote notes in London. Charles Babbage{i} built the engine.",
            "mem://doc",
        )
        for i in range(n)
    ]


def test_workers_build_the_same_graphs_in_order_and_keep_failures_in_place() -> None:
    docs = documents(TASK_DOCUMENTS * 2 + 3)
    docs[20] = SourceDocument("mem://doc/bad", "Bad", "Broken marker text here.", "mem://doc")
    extractor = FailingOn("marker")
    alone = list(build_graphs(docs, SETTINGS, extractor))
    parallel = list(build_in_processes(docs, SETTINGS, extractor, processes=2))
    assert parallel == alone
    assert isinstance(parallel[20], FileError)
    assert parallel[20].path == "mem://doc/bad" and "cannot read 'marker'" in parallel[20].reason
    assert [g.document.uri for g in parallel if not isinstance(g, FileError)] == [
        d.uri for i, d in enumerate(docs) if i != 20
    ]
    assert all(g.mentions for g in parallel if not isinstance(g, FileError))


def test_a_worker_that_dies_is_an_error_naming_its_documents() -> None:
    docs = documents(TASK_DOCUMENTS * 2)
    docs[TASK_DOCUMENTS] = SourceDocument("mem://doc/fatal", "Fatal", "A fatal text.", "mem://doc")
    with pytest.raises(IngestError, match="mem://doc/fatal and 15 more"):
        list(build_in_processes(docs, SETTINGS, FailingOn("fatal", exit_process=True), 2))
