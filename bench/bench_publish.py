"""Publishing figures: build, verification (links, anchors, canary scan) and archive.

    python bench/bench_publish.py N [N ...]

For each N, generates a synthetic project (bench/gen_corpus.py, mixed
audience), runs ``kb publish`` for the public and the internal edition into a
scratch directory and prints how long each step took and how big the output
is. Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from kb import publish as pub  # noqa: E402
from kb import verify  # noqa: E402
from kb.model.knowledge import KnowledgeBase  # noqa: E402


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "p"
            subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), str(n), str(project)], check=True,
                           capture_output=True)
            for level in ("public", "internal"):
                dest = Path(tmp) / f"www-{level}" / "site"
                dest.parent.mkdir()
                t0 = time.perf_counter()
                pub.build(project, Path(tmp) / f"build-{level}", level)
                t1 = time.perf_counter()
                kb = KnowledgeBase.load(project, audience=level)
                t2 = time.perf_counter()
                report = verify.verify(Path(tmp) / f"build-{level}", kb)
                t3 = time.perf_counter()
                digest = pub.write_archive(Path(tmp) / f"build-{level}", Path(tmp) / f"{level}.tar.gz")
                t4 = time.perf_counter()
                pub.publish(project, dest, level)
                t5 = time.perf_counter()
                size = (Path(tmp) / f"{level}.tar.gz").stat().st_size
                print(f"N={n} {level:8s} entries={len(kb.entries):5d} hidden={len(kb.hidden_ids):5d} "
                      f"build={t1 - t0:6.1f}s load={t2 - t1:5.1f}s verify={t3 - t2:5.1f}s "
                      f"(pages={report.pages} links={report.links} files={report.files} needles={report.needles} "
                      f"errors={len(report.errors)}) archive={t4 - t3:5.1f}s ({size / 1e6:.1f} MB, {digest[:12]}) "
                      f"publish_total={t5 - t4:6.1f}s", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
