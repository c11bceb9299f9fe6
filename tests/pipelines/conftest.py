"""A fresh pipeline per test, and one that has refreshed once."""

import shutil
from pathlib import Path

import pytest

from tests.pipelines.daily import REPO, Pipeline, make_pipeline


@pytest.fixture
def pipeline(tmp_path: Path) -> Pipeline:
    """A fresh store and a copy of the demo corpus, for this test alone."""
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "demo" / "corpus", corpus)
    return make_pipeline(tmp_path, corpus)


@pytest.fixture
def refreshed(pipeline: Pipeline) -> Pipeline:
    """The same, after a first daily refresh ingested the whole corpus."""
    assert pipeline.run().success
    return pipeline
