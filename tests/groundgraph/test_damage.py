"""Hostile files and damaged stores: each bad file is its own error, a broken record keeps its
stored version, damaged indexes and databases are one-line errors with a repair path, and two
writers never run at once."""

import errno
import io
import os
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from groundgraph import GroundGraph
from groundgraph.graph.base import StoreError
from groundgraph.graph.lock import StoreLockedError, write_lock
from groundgraph.retrieval.base import RetrievalError
from groundgraph.retrieval.indexes.faiss_index import DamagedIndexError, FaissIndex
from tests.conftest import open_store
from tests.groundgraph.test_cli import groundgraph

DOC = "# Marie Curie\n\nMarie Curie discovered polonium in Paris.\n"


def pdf(stream: bytes, flate: bool) -> bytes:
    """A one-page PDF whose page content is `stream`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n%s\nendstream"
        % (len(stream), b" /Filter /FlateDecode" if flate else b"", stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_every_kind_of_bad_file_is_its_own_error_and_the_rest_lands(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(DOC)
    (corpus / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (corpus / "utf16.txt").write_bytes("Ada Lovelace wrote the first program.".encode("utf-16"))
    text = b"BT /F1 12 Tf 72 712 Td (Alan Turing broke Enigma.) Tj ET"
    (corpus / "fine.pdf").write_bytes(pdf(text, flate=False))
    garbled = bytearray(zlib.compress(text))
    garbled[5:15] = bytes(10)
    (corpus / "damaged.pdf").write_bytes(pdf(bytes(garbled), flate=True))
    (corpus / "loop.md").symlink_to(corpus / "loop.md")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# Secret\n\nNot for this store.\n")
    (corpus / "link.md").symlink_to(outside)
    with open_store(tmp_path / "kg") as gg:
        report = gg.ingest([corpus, tmp_path / "missing-loop"])
        reasons = {Path(f.path).name: f.reason for f in report.failed}
        assert reasons["deep.json"] == "JSON nested too deeply to read (thousands of levels)"
        assert reasons["damaged.pdf"].startswith("cannot read PDF (damaged file?)")
        assert "decompressing" in reasons["damaged.pdf"]
        assert reasons["loop.md"].startswith("symbolic link loop")
        assert "outside the source folder" in reasons["link.md"]
        assert "follow_external_symlinks" in reasons["link.md"]
        titles = sorted(Path(u).name for u in report.added)
        assert titles == ["fine.pdf", "good.md", "utf16.txt"]
        assert "Ada Lovelace" in {e.name for e in gg.store.entities()}


def test_a_link_outside_is_read_when_the_setting_allows(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = tmp_path / "elsewhere.md"
    outside.write_text(DOC)
    (corpus / "link.md").symlink_to(outside)
    with open_store(tmp_path / "kg", ingest={"follow_external_symlinks": True}) as gg:
        assert gg.ingest([corpus]).ok and gg.stats().graph.documents == 1


def test_a_record_that_stops_parsing_keeps_its_stored_version(tmp_path: Path) -> None:
    records = tmp_path / "people.jsonl"
    records.write_text(
        '{"id": "ada", "text": "Ada Lovelace wrote the first program."}\n'
        '{"id": "alan", "text": "Alan Turing broke the Enigma cipher."}\n'
    )
    with open_store(tmp_path / "kg") as gg:
        assert len(gg.ingest([records]).added) == 2
        records.write_text(
            '{"id": "ada", "text": "Ada Lovelace wrote the first program."}\n'
            '{"id": "alan", "text": "Alan Turing broke\n'
        )
        report = gg.refresh()
        assert report.deleted == [] and [f.line for f in report.failed] == [2]
        assert "Alan Turing" in {e.name for e in gg.store.entities()}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "curie.md").write_text(DOC)
    path = tmp_path / "kg"
    assert groundgraph("ingest", str(corpus), store=path).returncode == 0
    return path


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_truncated_index_is_an_error_for_reads_and_refresh_rebuilds_it(store: Path) -> None:
    index = store / "vectors" / "chunks.npz"
    index.write_bytes(index.read_bytes()[:200])
    for verb in (["stats"], ["ask", "Who discovered polonium?"]):
        result = groundgraph(*verb, store=store)
        assert result.returncode == 1
        assert "chunks.npz is unreadable" in one_line(result)
    assert groundgraph("refresh", store=store).returncode == 0
    assert (store / "vectors" / "chunks.npz.damaged").exists()
    checked = groundgraph("check", store=store)
    assert checked.returncode == 0 and "the store is sound" in checked.stdout
    answer = groundgraph("ask", "Who discovered polonium?", store=store)
    assert answer.returncode == 0 and "polonium" in answer.stdout


def test_garbled_index_bytes_fail_the_checksum_before_faiss_reads_them(store: Path) -> None:
    path = store / "vectors" / "entities.npz"
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    payload = arrays["index"].copy()
    payload[len(payload) // 2 :] = 7  # FAISS could abort the process on this
    arrays["index"] = payload
    with path.open("wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(DamagedIndexError, match="does not match the checksum"):
        FaissIndex.load(path)
    checked = groundgraph("check", store=store)
    assert checked.returncode == 1 and "entities.npz is unreadable" in checked.stderr
    assert groundgraph("check", "--repair", store=store).returncode == 0
    assert FaissIndex.load(path).keys()


def test_a_garbled_database_page_is_found_at_open(store: Path) -> None:
    database = store / "graph.sqlite"
    with database.open("r+b") as f:
        f.seek(4096 * 2)  # an index page: the schema page and the first table survive
        f.write(os.urandom(4096))
    result = groundgraph("stats", store=store)
    assert result.returncode == 1
    line = one_line(result)
    assert "graph.sqlite is damaged" in line and "restore it from a backup" in line


def test_a_full_disk_while_saving_an_index_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "curie.md").write_text(DOC)

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with open_store(tmp_path / "kg") as gg:
        monkeypatch.setattr(np, "savez", full)
        with pytest.raises(RetrievalError, match="No space left on device; free some disk space"):
            gg.ingest([corpus])
        monkeypatch.undo()
        assert not list((tmp_path / "kg" / "vectors").glob(".*.tmp"))
        assert gg.refresh().follow.vectors.chunks_added == gg.stats().graph.chunks


HOLD = """
import sys, time
from pathlib import Path
from groundgraph.graph.lock import write_lock
with write_lock(Path(sys.argv[1]), 0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_writer_is_refused_naming_the_first(store: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = groundgraph("refresh", store=store, env={"GROUNDGRAPH_GRAPH_LOCK_WAIT": "0"})
        assert result.returncode == 1
        line = one_line(result)
        assert f"pid {holder.pid} since" in line and "write.lock" in line
        assert groundgraph("stats", store=store).returncode == 0  # readers go on
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_waits_and_reports_the_wait(store: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store), "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    with GroundGraph.open(store) as gg:
        report = gg.refresh()
    holder.wait()
    assert report.waited_seconds > 0.5
    with pytest.raises(StoreLockedError), write_lock(store, 0), write_lock(store, 0):
        pass


def test_a_read_sees_one_version_while_a_write_commits(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "curie.md").write_text(DOC)
    with open_store(tmp_path / "kg") as gg:
        gg.ingest([corpus])
        [doc] = gg.store.documents()
        with gg.store.snapshot():
            before = {c.id for c in gg.store.chunks()}
            writer = threading.Thread(target=lambda: gg.store.delete_documents([doc.id]))
            writer.start()
            time.sleep(0.5)  # the delete commits from its own connection meanwhile
            writer.join(timeout=30)
            assert {c.id for c in gg.store.chunks()} == before
        assert gg.store.chunks() == []


def test_a_store_error_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "kg").write_text("not a folder")
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        GroundGraph.open(tmp_path / "kg").stats()
