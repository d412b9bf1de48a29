"""Ingest benchmark: `python -m bench.ingest [--articles N] [--budget S] [--results PATH | --no-results]`.

How fast documents become drafts, per format, and what the duplicate check costs at archive
scale. Run from the project root with the project's virtual environment; needs LibreOffice
(soffice), pdftoppm, img2pdf and Tesseract with chi_sim, as the format tests do.

The documents are the format tests' own (tests/archive/ingest/formats/documents.py: every seed as
.docx, and as .pdf made from it by LibreOffice), plus, made here the same way: every seed as .doc
(LibreOffice from the .docx) and as a UTF-8 news-site page (the tests' page template), and seed
002 scanned (its pdf's pages rendered at 200 dpi, gray, wrapped by img2pdf: no text layer).

A page is one A4 page of the seed as LibreOffice sets its .docx (11 pt, 25 mm margins): the page
count of the seed's .pdf, 38 for the five seeds. Every format of a seed is counted with the
seed's page count, so pages per second compare formats on the same text.

Per format (all five seeds; the scan: seed 002's 3 pages):
  extract         archive.ingest.formats.read() per file, passes over the format's files
                  repeated until --budget seconds have passed, the median pass reported (one
                  pass for .doc and the scan, which run LibreOffice and Tesseract per file),
                  after one untimed warm-up pass (imports, caches);
  extract + parse the same plus archive.ingest.assembly.parse() of the text the writer would
                  parse (parse timed on its own, repeated likewise, and added);
  import          archive.ingest.writer.import_paths() of the format's files, once, into an
                  archive holding the catalogs but no articles (a temporary SQLite database):
                  extraction, parse, duplicate check, drafts, history and search index.
OCR: seconds per page of archive.ingest.formats.ocr.recognise() (Tesseract, one thread, as the
importer runs it) on pages rendered at 200 dpi: seed 002's 3 pages and the first 2 of 004.
Duplicates: bench/ingest_duplicates.py's bench_lookup(N) (the in-memory index), and the
importer's own path at the same scale: N synthetic reports stored as articles with fingerprint
and signature, RepeatFinder() built from the database (once per import batch), and
RepeatFinder.find() for 100 edited copies of stored reports and 100 new ones.

Figures are printed; unless --no-results, the block "Ingest (issue 13)" of bench/RESULTS.md is
written (replaced when there, appended otherwise; its bench:ingest-13 markers keep it through
`python -m bench`, which rewrites the file block by block). Nothing else is written outside a
temporary folder, which is removed at the end.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SEEDS_DIR = ROOT / "fixtures" / "seeds"
BLOCK_KEY = "ingest-13"
FORMATS = ["txt", "docx", "doc", "pdf", "html", "scan"]
LABELS = {
    "txt": "txt (UTF-8)",
    "docx": "docx (python-docx)",
    "doc": "doc (LibreOffice → docx)",
    "pdf": "pdf, text layer (pdfplumber)",
    "html": "html (trafilatura)",
    "scan": "pdf, scanned (Tesseract)",
}
SLOW = {"doc", "scan"}  # one timed pass: a LibreOffice start or Tesseract per file


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[1])
    parser.add_argument("--articles", type=int, default=20000, help="Stored reports for the duplicate lookup (default: 20,000).")
    parser.add_argument("--budget", type=float, default=2.0, help="Seconds of repeated passes per fast format and measure (default: 2).")
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file whose ingest block is written (default: bench/RESULTS.md).")
    parser.add_argument("--no-results", action="store_true", help="Print only; leave the results file alone.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (documents, database) and say where it is.")
    return parser.parse_args(argv)


def say(message: str = "") -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# Machine and code


def _run(args, **kwargs) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False, **kwargs).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), ""
        )
    except OSError:
        pass
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory_gb = 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return {
        "cpu": cpu or platform.processor() or "?",
        "cores": cores,
        "memory_gb": round(memory_gb),
        "arch": platform.machine(),
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
    }


def code() -> dict:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "archive" / "ingest").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return {
        "commit": os.environ.get("BENCH_COMMIT") or _run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT) or "?",
        "dirty": bool(_run(["git", "status", "--porcelain", "--", "archive/ingest"], cwd=ROOT)),
        "ingest_fingerprint": digest.hexdigest()[:12],
    }


def tools() -> dict:
    from archive.ingest.formats import libreoffice, ocr

    def version_of(module_name):
        try:
            from importlib.metadata import version

            return version(module_name)
        except Exception:  # noqa: BLE001
            return "?"

    soffice = libreoffice.soffice()
    return {
        "LibreOffice": libreoffice.version(soffice) if soffice else "missing",
        "Tesseract": ocr.version() or "missing",
        "pdfplumber": version_of("pdfplumber"),
        "python-docx": version_of("python-docx"),
        "trafilatura": version_of("trafilatura"),
    }


# ---------------------------------------------------------------------------------------------
# Documents


def build_documents(folder: Path) -> tuple[dict[str, list[Path]], dict[Path, int], dict[str, int]]:
    """format → files, file → pages, seed key → pages."""
    sys.path.insert(0, str(ROOT))
    import pdfplumber

    from tests.archive.ingest.formats import documents as docs_module

    made = docs_module.make_documents(SEEDS_DIR, folder / "made")
    texts = docs_module.seeds(SEEDS_DIR)
    keys = sorted(texts)
    stems = {p.stem[:3]: p.stem for p in sorted(SEEDS_DIR.glob("*.txt"))}
    seed_pages = {}
    for key in keys:
        with pdfplumber.open(made[f"pdf/{key}"]) as document:
            seed_pages[key] = len(document.pages)

    # every seed as .doc (one LibreOffice call) and as a UTF-8 web page
    doc_dir = folder / "doc"
    doc_dir.mkdir()
    docs_module._soffice(doc_dir, [made[f"docx/{k}"] for k in keys], "doc")
    html_dir = folder / "html"
    html_dir.mkdir()
    for key in keys:
        (html_dir / f"{stems[key]}.html").write_text(docs_module._html(texts[key], charset="utf-8"), encoding="utf-8")

    # seed 002 scanned: every page at 200 dpi, gray, no text layer; 004's first two pages for OCR
    scan_dir = folder / "scan"
    scan_dir.mkdir()
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-gray", str(made["pdf/002"]), str(scan_dir / "p002")], check=True, timeout=300)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-gray", "-f", "1", "-l", "2", str(made["pdf/004"]), str(scan_dir / "p004")], check=True, timeout=300)
    pages_002 = sorted(scan_dir.glob("p002-*.png"))
    scan = scan_dir / f"{stems['002']}-scan.pdf"
    subprocess.run(["img2pdf", *map(str, pages_002), "-o", str(scan)], check=True, timeout=300)

    files = {
        "txt": [SEEDS_DIR / f"{stems[k]}.txt" for k in keys],
        "docx": [made[f"docx/{k}"] for k in keys],
        "doc": [doc_dir / f"{stems[k]}.doc" for k in keys],
        "pdf": [made[f"pdf/{k}"] for k in keys],
        "html": [html_dir / f"{stems[k]}.html" for k in keys],
        "scan": [scan],
    }
    pages = {}
    for paths in files.values():
        for path in paths:
            pages[path] = seed_pages[path.name[:3]]
    pages[scan] = len(pages_002)
    assert pages[scan] == seed_pages["002"]
    return files, pages, seed_pages


# ---------------------------------------------------------------------------------------------
# Formats


def _text_to_parse(extracted) -> str:
    """What the writer parses (archive.ingest.writer.import_extracted)."""
    from archive.ingest.formats.plaintext import decode

    return decode(extracted.data, extracted.name)[0] if extracted.format == "txt" else extracted.text()


def _passes(work, *, budget: float, once: bool) -> tuple[float, int]:
    """Seconds per pass of work(): the median of passes repeated until budget seconds have
    passed (one pass when once). The median, as other work on the machine slows some passes."""
    seconds: list[float] = []
    while not seconds or (not once and sum(seconds) < budget):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), len(seconds)


def _extract_all(formats, paths: list[Path], texts: list[str]) -> None:
    texts.clear()
    for path in paths:
        [item] = formats.read(path)
        texts.append(_text_to_parse(item))


def _parse_all(parse, texts: list[str], reports: list) -> None:
    reports.clear()
    for text in texts:
        reports.extend(parse(text))


def bench_formats(files: dict[str, list[Path]], pages: dict[Path, int], budget: float) -> dict:
    from archive.ingest import formats
    from archive.ingest.assembly import parse

    # The first parse in a process loads jieba's dictionary (the word-split check of broken lines).
    started = time.perf_counter()
    parse(SEEDS_DIR.glob("002_*.txt").__next__().read_text(encoding="utf-8"))
    warmup = time.perf_counter() - started

    out = {"_parse_warmup_s": warmup}
    for fmt in FORMATS:
        paths = files[fmt]
        n_pages = sum(pages[p] for p in paths)
        texts: list[str] = []
        extract = functools.partial(_extract_all, formats, paths, texts)
        if fmt not in SLOW:
            extract()  # warm-up: imports, tool versions, caches
        extract_s, extract_passes = _passes(extract, budget=budget, once=fmt in SLOW)
        chars = sum(len(re.sub(r"\s", "", t)) for t in texts)
        reports: list = []
        parse_s, parse_passes = _passes(functools.partial(_parse_all, parse, texts, reports), budget=budget, once=False)
        out[fmt] = {
            "files": len(paths),
            "pages": n_pages,
            "chars": chars,
            "reports": len(reports),
            "extract_s": extract_s,
            "extract_passes": extract_passes,
            "parse_s": parse_s,
            "parse_passes": parse_passes,
            "extract_pages_per_s": n_pages / extract_s,
            "extract_parse_pages_per_s": n_pages / (extract_s + parse_s),
        }
        say(
            f"  {fmt:<5} {len(paths)} files, {n_pages} pages: extract {extract_s:.3f} s/pass ({extract_passes} passes) = "
            f"{n_pages / extract_s:.1f} pages/s; + parse {parse_s:.3f} s ({parse_passes} passes) = "
            f"{n_pages / (extract_s + parse_s):.1f} pages/s; {len(reports)} reports"
        )
    return out


def bench_imports(files: dict[str, list[Path]], pages: dict[Path, int]) -> dict:
    """import_paths() of each format's files into an archive without articles, once."""
    from archive.ingest.writer import import_paths
    from archive.models import Article, RawDocument

    out = {}
    for fmt in FORMATS:
        paths = files[fmt]
        n_pages = sum(pages[p] for p in paths)
        started = time.perf_counter()
        results = import_paths(paths)
        seconds = time.perf_counter() - started
        statuses = [r.status for r in results]
        drafts = sum(len(r.articles) for r in results)
        out[fmt] = {"seconds": seconds, "pages_per_s": n_pages / seconds, "drafts": drafts, "statuses": statuses}
        say(f"  {fmt:<5} import_paths: {seconds:.2f} s = {n_pages / seconds:.1f} pages/s, {drafts} drafts ({', '.join(sorted(set(statuses)))})")
        Article.objects.all().delete()
        RawDocument.objects.all().delete()
    return out


def bench_ocr(folder: Path) -> dict:
    from PIL import Image

    from archive.ingest.formats import Limits, ocr

    limits = Limits()
    per_page = []
    chars = []
    for png in sorted((folder / "scan").glob("p00*.png")):
        with Image.open(png) as image:
            page = image.convert("L")
            started = time.perf_counter()
            text = ocr.recognise(page, png.name, dpi=200, limits=limits, where=png.stem)
            per_page.append((png.stem, time.perf_counter() - started))
            chars.append(len(re.sub(r"\s", "", text)))
    seconds = [s for _, s in per_page]
    figures = {
        "pages": len(per_page),
        "per_page": per_page,
        "mean_s": statistics.fmean(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "chars_per_page": statistics.fmean(chars),
        "engine": ocr.engine(),
        "threads": os.environ.get("OMP_THREAD_LIMIT", "1"),
    }
    say(
        f"  OCR {figures['pages']} pages: {figures['mean_s']:.2f} s/page (min {figures['min_s']:.2f}, max {figures['max_s']:.2f}), "
        f"{figures['chars_per_page']:.0f} characters/page"
    )
    return figures


# ---------------------------------------------------------------------------------------------
# Duplicates


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_repeat_finder(n_articles: int, lookups: int = 200, seed: int = 20241204) -> dict:
    """The importer's own duplicate check against n stored articles (temporary database)."""
    from django.db import transaction

    from archive.ingest import duplicates
    from archive.ingest.repeats import RepeatFinder
    from archive.models import Article, Section

    from .ingest_duplicates import edited_copy, seed_sentences, synthetic_article

    rng = random.Random(seed)
    pool = seed_sentences()
    texts = [synthetic_article(rng, pool) for _ in range(n_articles)]
    started = time.perf_counter()
    keys = [(duplicates.fingerprint(t), duplicates.signature(t)) for t in texts]
    keys_s = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        Article.objects.bulk_create(
            [
                Article(
                    title=f"合成报道{i}", kind="news", date=None, date_precision="unknown", status="published",
                    slug=f"bench-dup-{i}", fingerprint=fp, signature=sig, editorial_note="合成的基准测试语料。",
                )
                for i, (fp, sig) in enumerate(keys)
            ],
            batch_size=2000,
        )
        ids = dict(Article.objects.filter(slug__startswith="bench-dup-").values_list("slug", "pk"))
        Section.objects.bulk_create(
            [Section(article_id=ids[f"bench-dup-{i}"], order=1, heading="", body=t, anchor="s1") for i, t in enumerate(texts)],
            batch_size=2000,
        )
    store_s = time.perf_counter() - started

    started = time.perf_counter()
    finder = RepeatFinder()
    build_s = time.perf_counter() - started

    queries = []
    for i in range(lookups):
        if i % 2 == 0:
            target = rng.randrange(n_articles)
            queries.append((ids[f"bench-dup-{target}"], f"合成报道{target}", edited_copy(rng, texts[target], pool), texts[target]))
        else:
            queries.append((None, "", synthetic_article(rng, pool), None))
    find_s, found, truly_near, false_hits = [], 0, 0, 0
    for pk, title, text, original in queries:
        started = time.perf_counter()
        repeat, _fp, _sig = finder.find(text)
        find_s.append(time.perf_counter() - started)
        if pk is not None and duplicates.is_near_duplicate(text, f"{title}\n{original}"):
            truly_near += 1
            found += repeat is not None and repeat.article.pk == pk
        if repeat is not None and repeat.article.pk != pk:
            false_hits += 1
    figures = {
        "articles": n_articles,
        "fingerprint_and_signature_s": keys_s,
        "store_s": store_s,
        "finder_build_s": build_s,
        "find_ms_median": statistics.median(find_s) * 1000,
        "find_ms_p95": _percentile(find_s, 0.95) * 1000,
        "find_ms_max": max(find_s) * 1000,
        "found": f"{found}/{truly_near}",
        "false_matches": false_hits,
    }
    say(
        f"  RepeatFinder over {n_articles:,} stored articles: built in {build_s:.2f} s; find() median "
        f"{figures['find_ms_median']:.2f} ms, p95 {figures['find_ms_p95']:.2f} ms; edited copies found {figures['found']}, "
        f"false matches {false_hits}"
    )
    return figures  # the rows stay: the database is the run's own and is removed with it


# ---------------------------------------------------------------------------------------------
# Report


def markdown(result: dict) -> str:
    m, c, t = result["machine"], result["code"], result["tools"]
    f, imp, o, d, r = result["formats"], result["imports"], result["ocr"], result["duplicates"], result["repeat_finder"]
    dirty = "; archive/ingest had uncommitted changes" if c["dirty"] else ""
    dirty = f" (ingest code fingerprint `{c['ingest_fingerprint']}`{dirty})"
    passes = ", ".join(str(f[k]["extract_passes"]) for k in FORMATS)
    lines = [
        "## Ingest (issue 13)",
        "",
        "Written by `python -m bench.ingest` (see the docstring of `bench/ingest.py`); replaced by its next run.",
        "",
        (f"Run {result['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB ({m['arch']}, {m['os']}, Python {m['python']}); "
        f"commit `{c['commit']}`{dirty}. LibreOffice {t['LibreOffice']}, Tesseract {t['Tesseract']} (chi_sim, "
        f"{o['threads']} thread), pdfplumber {t['pdfplumber']}, python-docx {t['python-docx']}, trafilatura {t['trafilatura']}. "
        f"1-minute load average {result['loadavg'][0]} at the start, {result['loadavg'][1]} at the end"
        + (" (other work shared the machine: the figures are inflated by it)." if max(result["loadavg"]) > 0.5 * m["cores"] else ".")),
        "",
        (f"A page is one A4 page of a seed as LibreOffice sets its .docx (11 pt, 25 mm margins; the tests' documents): "
        f"{sum(result['seed_pages'].values())} pages for the five seeds ({', '.join(f'{k}: {v}' for k, v in sorted(result['seed_pages'].items()))}), "
        f"about {f['txt']['chars'] / f['txt']['pages']:.0f} characters each. Every format of a seed counts the seed's pages. "
        "The scan is seed 002 (3 pages) rendered at 200 dpi, gray, without text layer."),
        "",
        "### Pages per second",
        "",
        ("Extract is `formats.read()`; parse is `assembly.parse()` of the text the writer parses; import is "
        "`import_paths()` of the format's files into a SQLite archive holding the catalogs but no articles "
        "(extraction, parse, duplicate check, drafts with history, search index), run once."),
        "",
        "| format | files | pages | extract s | extract pages/s | + parse pages/s | import pages/s | drafts |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for fmt in FORMATS:
        x = f[fmt]
        lines.append(
            f"| {LABELS[fmt]} | {x['files']} | {x['pages']} | {x['extract_s']:.3f} | {x['extract_pages_per_s']:.1f} | "
            f"{x['extract_parse_pages_per_s']:.1f} | {imp[fmt]['pages_per_s']:.1f} | {imp[fmt]['drafts']} |"
        )
    lines += [
        "",
        (f"Extract s is per pass over the format's files (median of {passes} passes, in the order of the table; parse likewise); "
        f"parse alone takes {f['txt']['parse_s']:.3f} s for the five seeds' text. "
        f"The first parse in a process loads jieba's dictionary: {f['_parse_warmup_s']:.2f} s, left out above. "
        f"A .doc costs a LibreOffice start per file, with a fresh profile each time ({f['doc']['extract_s'] / f['doc']['files']:.1f} s per file "
        f"here, whatever its length); the scan's time is Tesseract's ({f['scan']['extract_s'] / f['scan']['pages']:.1f} s per page, "
        "rendering included)."),
        "",
        "### OCR",
        "",
        (f"`ocr.recognise()` of {o['pages']} pages at 200 dpi (seed 002's 3, 004's first 2), {o['engine']}: "
        f"**{o['mean_s']:.2f} s per page** (min {o['min_s']:.2f}, max {o['max_s']:.2f}; "
        + ", ".join(f"{name} {s:.2f}" for name, s in o["per_page"])
        + f"), {o['chars_per_page']:.0f} characters recognised per page."),
        "",
        f"### Duplicate lookup against {d['articles']:,} articles",
        "",
        (f"Synthetic reports of about {d['mean_chars']:,} characters made of runs of the seeds' sentences ({d['sentence_pool']} sentences), "
        "as in `bench/ingest_duplicates.py`."),
        "",
        "| measure | figure |",
        "| --- | --- |",
        f"| signature() per report, mean / p95 | {d['signature_ms_mean']:.2f} / {d['signature_ms_p95']:.2f} ms |",
        f"| index build over {d['articles']:,} signatures | {d['index_build_s']:.2f} s |",
        f"| index.query(), median / p95 / max ({d['lookups']} lookups) | {d['lookup_ms_median']:.3f} / {d['lookup_ms_p95']:.3f} / {d['lookup_ms_max']:.3f} ms |",
        f"| candidates per lookup, mean / max | {d['candidates_mean']:.1f} / {d['candidates_max']} |",
        f"| edited copies found at 0.8 / at 0.75 then confirmed | {d['found_at_0.8']} / {d['found_at_0.75_then_confirmed']} |",
        f"| false matches | {d['false_matches']} |",
        f"| index memory (signatures + LSH tables) | {d['index_memory_mb']:.1f} MB ({d['signatures_memory_mb']:.1f} + {d['lsh_tables_memory_mb']:.1f}), {d['index_bytes_per_article']:.0f} bytes/article |",
        f"| add / remove one report | {d['add_one_ms_median']:.3f} / {d['remove_one_ms_median']:.3f} ms |",
        f"| **importer's path** (`RepeatFinder`, SQLite): built from {r['articles']:,} stored articles, by the first batch of a process (later ones read only the articles added since) | {r['finder_build_s']:.2f} s |",
        f"| `RepeatFinder.find()` (fingerprint, signature, query, confirm on the stored text), median / p95 / max | {r['find_ms_median']:.2f} / {r['find_ms_p95']:.2f} / {r['find_ms_max']:.2f} ms |",
        f"| `RepeatFinder.find()`: edited copies found / false matches | {r['found']} / {r['false_matches']} |",
        "",
    ]
    return "\n".join(lines)


def write_results(path: Path, text: str) -> None:
    block = f"<!-- bench:{BLOCK_KEY} -->\n{text}<!-- /bench:{BLOCK_KEY} -->\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(rf"<!-- bench:{BLOCK_KEY} -->\n.*?<!-- /bench:{BLOCK_KEY} -->\n", re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _m: block, old)
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new, encoding="utf-8")


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    for tool in ("soffice", "pdftoppm", "img2pdf", "tesseract"):
        if shutil.which(tool) is None:
            say(f"{tool} is not installed: the ingest benchmark needs LibreOffice, poppler-utils, img2pdf and tesseract-ocr-chi-sim.")
            return 2
    loadavg = [round(os.getloadavg()[0], 2)]
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        # The benchmark's own database and media folder, chosen before Django starts.
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'ingest.sqlite3'}"
        os.environ["MEDIA_ROOT"] = str(work / "media")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from archive.ingest.corpus import load_all

        settings.DEBUG = False
        say(f"== bench.ingest in {work}")
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        catalogs = work / "fixtures"
        (catalogs / "corpus").mkdir(parents=True)
        for name in ("departments.json", "initiatives.json"):
            shutil.copyfile(settings.FIXTURES_DIR / name, catalogs / name)
        load_all(catalogs)  # the catalogs (departments resolve, initiatives link), no curated reports
        say(f"  database migrated and catalogs loaded in {time.perf_counter() - t:.1f} s")

        result = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(),
            "code": code(),
            "tools": tools(),
        }
        t = time.perf_counter()
        files, pages, seed_pages = build_documents(work)
        result["seed_pages"] = seed_pages
        say(f"  documents built in {time.perf_counter() - t:.1f} s; pages per seed {seed_pages}")

        say("formats (extract; extract + parse):")
        result["formats"] = bench_formats(files, pages, args.budget)
        say("formats (whole import):")
        result["imports"] = bench_imports(files, pages)
        say("OCR:")
        result["ocr"] = bench_ocr(work)
        say(f"duplicates, in-memory index (bench.ingest_duplicates.bench_lookup({args.articles})):")
        from .ingest_duplicates import bench_lookup

        result["duplicates"] = bench_lookup(args.articles)
        say("duplicates, the importer's path:")
        result["repeat_finder"] = bench_repeat_finder(args.articles)
        loadavg.append(round(os.getloadavg()[0], 2))
        result["loadavg"] = loadavg

        text = markdown(result)
        say()
        say(text)
        if not args.no_results:
            write_results(args.results, text)
            say(f"written to {args.results}")
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
