"""`--executor dask://HOST:PORT`: the same batch on a Dask cluster gives the same results."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import text_work, write_photo

from cardscan import batch
from cardscan.batch import ScanOptions
from cardscan.errors import ExitCode, InputError
from cardscan.store import Book

distributed = pytest.importorskip("distributed")


@pytest.fixture
def cluster():
    """A small local cluster: one in-process worker reached over TCP like a real one."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp", dashboard_address=None) as local:
        yield local


def test_dask_executor_gives_the_same_results_as_local(tmp_path, cluster):
    photos = tmp_path / "photos"
    write_photo(photos, "a.jpg", "Ana Gil\nana@x.es\n")
    write_photo(photos, "b.jpg", "Bo Li\nbo@y.com\n", "Cy Ng\ncy@z.org\n")
    (photos / "c.jpg").write_text("BAD")
    address = cluster.scheduler_address.removeprefix("tcp://")
    options = ScanOptions(executor=f"dask://{address}")
    on_dask = batch.scan([photos], options, Book(tmp_path / "dask"), work=text_work,
                         check_dependencies=False)
    inline = batch.scan([photos], replace(options, executor="inline"), Book(tmp_path / "inline"),
                        work=text_work, check_dependencies=False)

    def view(summary):
        return ([(c.status, c.source.file, c.source.card_index, c.contact.name.full,
                  c.ocr_text) for c in summary.cards], [f.line() for f in summary.failures])

    assert view(on_dask) == view(inline)
    assert on_dask.exit_code == ExitCode.SOME_FAILED
    assert len(Book(tmp_path / "dask").contacts()) == 3
    again = batch.scan([photos], options, Book(tmp_path / "dask"), work=text_work,
                       check_dependencies=False)
    assert [c.status for c in again.cards] == ["skipped"] * 3


def test_bad_executor_address():
    assert batch.dask_address("dask://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    for bad in ("dask://", "ray://x:1", "10.0.0.5:8786"):
        with pytest.raises(InputError):
            batch.dask_address(bad)
