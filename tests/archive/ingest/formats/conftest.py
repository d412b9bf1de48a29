"""Fixtures for the format adapters: test documents built once per session from the seed texts
(documents.py), reads of the slow ones (LibreOffice, OCR) cached for the session, and
require_tool(), which skips a test whose tool is missing — or fails it when CI=true.

Measured figures (characters recovered, OCR error rate, seconds) are printed at the end of the
run, whatever the verbosity."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .documents import make_documents, seeds

SEEDS_DIR = Path(__file__).resolve().parents[4] / "fixtures" / "seeds"

FIGURES: list[str] = []


def record(line: str) -> None:
    """Note a measured figure for the summary at the end of the run."""
    FIGURES.append(line)
    print(line)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("format adapters: measured")
        for line in FIGURES:
            terminalreporter.write_line(line)


def _tesseract_has_chinese() -> bool:
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "chi_sim" in (out.stdout + out.stderr).decode("utf-8", "replace").split()


def require_tool(name: str) -> None:
    """Skip the test when the program is missing (for "tesseract": or its chi_sim model); with
    CI=true in the environment, fail it instead — CI must have every tool."""
    missing = None
    if shutil.which(name) is None:
        missing = f"{name} is not installed"
    elif name == "tesseract" and not _tesseract_has_chinese():
        missing = "tesseract has no chi_sim model (Debian package tesseract-ocr-chi-sim)"
    if missing is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{missing}; CI=true, so this test may not be skipped")
    pytest.skip(missing)


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return seeds(SEEDS_DIR)


@pytest.fixture(scope="session")
def documents(tmp_path_factory) -> dict[str, Path]:
    started = time.perf_counter()
    docs = make_documents(SEEDS_DIR, tmp_path_factory.mktemp("format-documents"))
    record(f"test documents built in {time.perf_counter() - started:.1f} s")
    return docs


@pytest.fixture
def doc(documents):
    """doc("pdf/002") → the path; skips (or fails under CI) when the tool it needs is missing."""

    def get(key: str) -> Path:
        needs = {
            "pdf/": ["soffice"],
            "two_column_pdf": ["soffice"],
            "doc": ["soffice"],
            "odt": ["soffice"],
            "rtf": ["soffice"],
            "wps": ["soffice"],
            "encrypted_pdf": ["soffice"],
            "page_png": ["soffice", "pdftoppm"],
            "crop_png": ["soffice", "pdftoppm"],
            "blank_png": ["soffice", "pdftoppm"],
            "scan_pdf": ["soffice", "pdftoppm", "img2pdf"],
            "mixed_pdf": ["soffice", "pdftoppm", "img2pdf"],
        }
        for prefix, tools in needs.items():
            if key == prefix or (prefix.endswith("/") and key.startswith(prefix)):
                for tool in tools:
                    require_tool(tool)
        return documents[key]

    return get


class _Cache:
    """Reads of the test documents, each done once per session."""

    def __init__(self):
        self.results: dict = {}
        self.seconds: dict = {}

    def read(self, key: str, path: Path, **kwargs):
        from archive.ingest import formats

        if key not in self.results:
            started = time.perf_counter()
            try:
                self.results[key] = formats.read(path, **kwargs)
            except formats.FormatError as exc:
                self.results[key] = exc
            self.seconds[key] = time.perf_counter() - started
        result = self.results[key]
        if isinstance(result, Exception):
            raise result
        return result


@pytest.fixture(scope="session")
def reads() -> _Cache:
    return _Cache()


@pytest.fixture(scope="session")
def converted(documents, reads):
    """The LibreOffice formats (.doc .wps .rtf .odt, and a .doc named .docx) read in parallel, once:
    each conversion is a soffice start of a few seconds."""
    require_tool("soffice")
    jobs = {fmt: documents[fmt] for fmt in ("doc", "odt", "rtf", "wps")}
    renamed = documents["doc"].with_name("saved-as-docx.docx")
    shutil.copyfile(documents["doc"], renamed)
    jobs["doc_as_docx"] = renamed
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(reads.read, f"lo/{key}", path) for key, path in jobs.items()}
        out = {key: future.result()[0] for key, future in futures.items()}
    record(f"LibreOffice: {len(jobs)} files converted and read in {time.perf_counter() - started:.1f} s (in parallel)")
    return out
