"""kb.site.gcpolicy: the collector during a build (load without collections, the loaded
knowledge base frozen until the build ends, rarer collections, everything restored after)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import copy_project
from kb.engine import session as session_module
from kb.site import gcpolicy


@pytest.fixture(autouse=True)
def clean_collector():
    gc.unfreeze()
    before = gc.get_threshold()
    yield
    gcpolicy.build_ended()
    gc.unfreeze()
    gc.set_threshold(*before)


def test_nested_holds_release_with_the_outermost() -> None:
    objects = [[i] for i in range(100)]
    gcpolicy.hold()
    frozen = gc.get_freeze_count()
    assert frozen >= len(objects)
    with gcpolicy.held():  # e.g. a fork inside the build
        assert gc.get_freeze_count() >= frozen
    assert gc.get_freeze_count() >= frozen  # the inner release keeps the build's hold
    gcpolicy.release()
    assert gc.get_freeze_count() == 0
    gcpolicy.release()  # one too many: nothing happens
    assert gc.get_freeze_count() == 0


def test_paused_restores_the_collector() -> None:
    with gcpolicy.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gcpolicy.paused():
            pass
        assert not gc.isenabled()  # it was off before: stays off
    finally:
        gc.enable()


def test_a_failed_build_is_released_by_the_next() -> None:
    before = gc.get_threshold()
    gcpolicy.build_started()
    gcpolicy.hold()  # the build stops here (an error): build_ended never runs
    assert gc.get_threshold() == gcpolicy.BUILD_THRESHOLD
    gcpolicy.build_started()
    assert gc.get_freeze_count() == 0
    gcpolicy.build_ended()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@pytest.mark.slow
def test_build_freezes_the_knowledge_base_and_restores_the_collector(tmp_path: Path, monkeypatch) -> None:
    project = copy_project(tmp_path / "p")
    monkeypatch.chdir(project)
    monkeypatch.setenv("KB_JOBS", "1")
    before = gc.get_threshold()
    seen = []
    register = session_module.BuildSession.register_files

    def spy(self, files, config):
        entry = self.generator.kb.entries[0]
        in_sight = any(o is entry for o in gc.get_objects())  # frozen objects are in no generation
        seen.append((gc.get_threshold(), gc.get_freeze_count(), gc.is_tracked(entry), in_sight))
        return register(self, files, config)

    monkeypatch.setattr(session_module.BuildSession, "register_files", spy)
    # The load's objects are frozen before collections resume: the first one would go through them all.
    hold, held_when = gcpolicy.hold, []
    monkeypatch.setattr(gcpolicy, "hold", lambda: (held_when.append(gc.isenabled()), hold()))
    build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert held_when[0] is False
    (threshold, frozen, tracked, in_sight), = seen
    assert threshold == gcpolicy.BUILD_THRESHOLD
    assert frozen > 10_000  # the loaded entries and everything they hold
    assert tracked and not in_sight  # an entry: a tracked object, out of the collector's sight
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert (tmp_path / "site" / "index.html").is_file()


def test_preview_collector_comes_back_after_the_rebuild_not_right_at_its_end():
    """kb serve: the collector stays off through a rebuild and for a moment after it (the browsers
    reload meanwhile), also across back-to-back rebuilds, then is on again."""
    import time

    from kb.site.gcpolicy import QuietAfter

    assert gc.isenabled()
    quiet = QuietAfter()
    quiet.DELAY = 0.3
    try:
        with quiet.rebuild():
            assert not gc.isenabled()
        assert not gc.isenabled()  # not at once
        time.sleep(0.1)
        with quiet.rebuild():  # the next rebuild within the delay: still off, the timer starts again
            assert not gc.isenabled()
        time.sleep(0.2)
        assert not gc.isenabled()
        deadline = time.monotonic() + 5
        while not gc.isenabled() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gc.isenabled()
    finally:
        gc.enable()
