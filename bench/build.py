"""Index builds in a process of their own, so that their peak memory is theirs alone (not the
generator's or the loader's): `python -m bench.build ours|whoosh [--dir PATH]`, run by bench.run
with DATABASE_URL set. Prints one JSON line: seconds, MB of text, MB/s, peak and baseline RSS.

Peak memory is the largest sum, sampled every 0.25 s, of the proportional set sizes of the
build process and its descendants (rebuild() may segment in a pool of forked workers), or the
process's own ru_maxrss when that is larger.

The text measured is the UTF-8 bytes of every published section's heading and body, the same
for both indexes, so their MB/s compare.
"""

import argparse
import json
import os
import time

from .measure import PeakTreeMemory, max_rss_mb, rss_mb


def text_bytes() -> int:
    from archive.models import Section, published_q

    sections = Section.objects.filter(published_q("article"))
    return sum(len(h.encode()) + len(b.encode()) for h, b in sections.values_list("heading", "body").iterator(chunk_size=2000))


def build_node_index() -> dict:
    """The node's tantivy index built afresh from the database's rows (search.tantivy_index): its
    seconds, sections and MB on disk."""
    from search import tantivy_index

    started = time.perf_counter()
    state = tantivy_index.rebuild()
    return {
        "seconds": round(time.perf_counter() - started, 1), "sections": state["sections"],
        "mb": round(tantivy_index.directory_mb(tantivy_index.folder() / state["directory"]), 1),
    }


def build_ours() -> dict:
    """What `rebuild_index` does: the database's documents (jieba in a pool of workers), then the
    node's tantivy index from them; the seconds of both, and each's."""
    from search import indexing

    started = time.perf_counter()
    indexing.rebuild()
    documents = time.perf_counter()
    node_index = build_node_index()
    return {"seconds": time.perf_counter() - started, "documents_s": round(documents - started, 2), "node_index": node_index}


def build_whoosh(directory: str) -> dict:
    from .peers import build_whoosh_index

    started = time.perf_counter()
    documents = build_whoosh_index(directory)
    return {"seconds": time.perf_counter() - started, "documents": documents}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__)
    parser.add_argument("which", choices=["ours", "whoosh"], help="Which index to build.")
    parser.add_argument("--dir", help="Folder for the Whoosh index (whoosh only).")
    parser.add_argument("--debug", action="store_true", help="Keep DEBUG on (Django logs every query).")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if not args.debug:
        from django.conf import settings

        settings.DEBUG = False  # as rebuild_index runs in production: no query log (bench/wsgi.py)
    mb = text_bytes() / 1e6
    baseline = rss_mb()
    with PeakTreeMemory(interval=0.25) as tree:
        result = build_ours() if args.which == "ours" else build_whoosh(args.dir)
    seconds = result["seconds"]
    result.update(
        {
            "seconds": round(seconds, 2),
            "mb": round(mb, 2),
            "mb_per_s": round(mb / seconds, 3) if seconds else None,
            # rebuild() may fork a pool: its workers count too (PSS, so shared pages count once)
            "peak_rss_mb": max(tree.peak, max_rss_mb()),
            "peak_rss_main_mb": max_rss_mb(),
            "baseline_rss_mb": baseline,
        }
    )
    print("BENCH_BUILD " + json.dumps(result))


if __name__ == "__main__":
    main()
