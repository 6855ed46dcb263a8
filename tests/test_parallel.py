"""Page generation on every core (kb.site.parallel): the same Markdown, in the same order, as a serial loop."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from conftest import ROOT
from kb.model.knowledge import KnowledgeBase
from kb.site import parallel, workers
from kb.site.pages import Generator


@pytest.fixture(scope="module")
def gen() -> Generator:
    return Generator(KnowledgeBase.load(ROOT, audience="all"))


def test_forked_workers_render_the_serial_bytes_in_order(gen, monkeypatch, fork_allowed):
    specs = gen.specs()
    serial = [gen.render(s) for s in specs]
    monkeypatch.setattr(parallel, "MIN_PAGES", 0)
    monkeypatch.setattr(parallel, "CHUNKS_PER_JOB", 3)  # several chunks per worker: order across chunks
    assert workers.can_fork()
    threads = threading.active_count()
    assert parallel.render_all(gen, specs, processes=2) == serial
    # The pool is gone (its threads too): a later step of the build may fork (kb.engine.prerender).
    assert threading.active_count() == threads
    assert parallel.render_all(gen, specs[:5], processes=3) == serial[:5]  # fewer pages than chunks


def test_worker_results_come_back_in_order():
    assert list(workers.fork_map(str, list(range(50)), 2)) == [str(i) for i in range(50)]


def test_a_failure_in_a_worker_stops_the_build(gen, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PAGES", 0)
    first = gen.specs()[0]
    broken = dataclasses.replace(first, context=lambda: 1 // 0)  # rendered in a worker (not the first of its template)
    with pytest.raises(ZeroDivisionError):
        parallel.render_all(gen, [first, *gen.specs()[1:4], broken], processes=2)


def test_job_count_from_the_environment():
    assert workers.jobs({"KB_JOBS": "1"}) == 1
    assert workers.jobs({"KB_JOBS": " 3 "}) == 3
    assert workers.jobs({}) >= 1
    for bad in ("0", "-2", "两个", "1.5"):
        with pytest.raises(ValueError, match="KB_JOBS"):
            workers.jobs({"KB_JOBS": bad})
