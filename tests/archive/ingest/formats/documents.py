"""Test documents made from the real seed texts with real tools, and the measures to compare
what the adapters read with the seeds.

    make_documents(seeds_dir, out_dir) -> dict[str, Path]

builds (names are the keys of the returned dict):

    docx/<stem>           python-docx, one per seed: the first line as Title when short, "#", "##",
                          "###" lines as Title/Heading 1/Heading 2, paragraphs split at blank lines;
                          a running header and a "- N -" page-number footer; core properties set.
                          001 also has its byline in bold and a table after its fourth paragraph.
    pdf/<stem>            soffice --convert-to pdf from each docx (one soffice call for all)
    two_column_pdf        seed 000 as a docx whose body section has two columns (w:cols num=2)
                          under a full-width title, converted by soffice
    doc odt rtf           seed 002's docx converted by soffice (one call per target, in parallel)
    wps                   the .doc under a .wps name (WPS Writer's .wps is the Word binary format)
    page_png              page 1 of pdf/002 rendered with pdftoppm -r 200
    crop_png              the top third of that page (a small image to OCR)
    blank_png             a white page: no text to find
    scan_pdf              crop_png wrapped by img2pdf: a PDF without text layer
    mixed_pdf             pdf/002 with page 1 replaced by its scan (img2pdf), via pypdf
    encrypted_pdf         pdf/002 encrypted with a user password (pypdf)
    html_utf8             seed 003 in a news-site page (navigation, breadcrumbs, comments, related
                          links, sidebar, footer, meta tags), UTF-8
    html_gb2312           seed 001 likewise, declared gb2312 and encoded GB18030
    txt_gb18030           seed 003 encoded GB18030
    corrupt_docx corrupt_pdf corrupt_zip
    zip_bundle            docx, GB18030 txt, html in a folder, a nested zip (with a zip inside it),
                          junk (__MACOSX, .DS_Store), an unsupported .xls, a broken .docx, an
                          "encrypted" member, and a member whose name is stored in GBK
    zip_dotdot            a member "../evil.txt"
    zip_bomb              30 MB of zeros compressed to a few KB
    zip_many              201 small text files

Run as a script to build them into a folder: python documents.py OUT_DIR
"""

from __future__ import annotations

import datetime
import difflib
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HEADER_TEXT = "株洲改革报告汇编"
SITE_NAME = "株洲新闻网"
PUB_DATE = "2024-11-05"
AUTHOR = "株洲日报社"
CREATED = datetime.datetime(2024, 11, 5, 8, 30)
NAV_WORDS = ["首页", "要闻", "时政", "经济", "社会", "文化", "图片", "视频", "专题"]
COMMENTS = ["网友“湘江边”：这篇报道很有启发，期待更多改革经验分享！", "网友“炎帝故里”：点赞株洲，制造名城名副其实。"]
RELATED = ["株洲市召开全面深化改革委员会第五次会议", "湖南省推进园区体制机制改革综述", "图解：株洲前三季度经济运行情况"]
SIDEBAR = "热点排行"
FOOTER = "版权所有 © 株洲新闻网 湘ICP备00000000号"
BREADCRUMB = "当前位置：首页 > 要闻 > 正文"
TABLE_ROWS = [("指标", "变化"), ("市属国企主业", "从5个精简至3个"), ("管理层级", "由六级压至三级")]
BYLINE_001 = "吴文奕 张建平"


# ---------------------------------------------------------------------------------------------
# Measures


def seeds(seeds_dir: Path) -> dict[str, str]:
    return {p.stem[:3]: p.read_text(encoding="utf-8") for p in sorted(Path(seeds_dir).glob("*.txt"))}


def normalise(text: str) -> str:
    """Text for comparison: markdown heading marks and all whitespace removed."""
    text = re.sub(r"(?m)^\s*#{1,6}\s*", "", text)
    return re.sub(r"\s+", "", text)


def recovered(seed: str, got: str) -> float:
    """The share of the seed's characters found, in order, in the text read (0–1)."""
    a, b = normalise(seed), normalise(got)
    if not a:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def character_error_rate(ocr_text: str, seed: str) -> tuple[float, str]:
    """(CER, the seed region compared): the edit distance between the OCR text and the stretch of
    the seed it covers, over the length of that stretch; whitespace and heading marks removed.
    The stretch starts where the OCR text's first long match with the seed puts it (so a page from
    the middle of a document is compared with its own part of the seed) and ends wherever the
    distance is least (a semi-global alignment: the seed's continuation costs nothing)."""
    got, ref = normalise(ocr_text), normalise(seed)
    if not got:
        return 1.0, ""
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    anchors = [b for b in matcher.get_matching_blocks() if b.size >= 8] or [b for b in matcher.get_matching_blocks() if b.size]
    if not anchors:
        return 1.0, ""
    start = max(0, anchors[0].a - anchors[0].b)
    window = ref[start : start + int(1.5 * len(got)) + 20]
    last_row = _edit_distance_row(got, window)
    end = min(range(len(last_row)), key=lambda k: (last_row[k], -k))
    region = window[:end]
    return last_row[end] / max(1, len(region)), region


def _edit_distance_row(a: str, b: str) -> list[int]:
    """Edit distances between all of a and each prefix b[:k] (k = 0 … len(b))."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous


def edit_distance(a: str, b: str) -> int:
    return _edit_distance_row(a, b)[-1]


def blocks(text: str) -> list[list[str]]:
    """Non-blank lines grouped at blank lines."""
    out: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            out[-1].append(line.strip())
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


# ---------------------------------------------------------------------------------------------
# Building


def _soffice(outdir: Path, files: list[Path], target: str, timeout: float = 120) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise FileNotFoundError("soffice")
    # LibreOffice now and then aborts while it sets up a fresh profile on a loaded machine (exit 134,
    # seen once in a full run); the documents are only test input, so a crash is retried once in a
    # new profile, and a second failure is raised with what soffice printed.
    for attempt in (1, 2):
        with tempfile.TemporaryDirectory(prefix="docs-soffice-") as profile:
            cmd = [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                *map(str, files),
            ]
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, env=dict(os.environ, HOME=profile))
        if done.returncode == 0:
            return
        print(f"soffice --convert-to {target} exited {done.returncode} (attempt {attempt}): {done.stderr.decode(errors='replace')[-500:]}")
    raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr)


def _heading_of(line: str) -> tuple[str, str]:
    match = re.match(r"^(#{1,3})\s*(.*)$", line.strip())
    if not match:
        return "", line.strip()
    return {1: "Title", 2: "Heading 1", 3: "Heading 2"}[len(match.group(1))], match.group(2).strip()


def _plan(seed: str) -> list[tuple[str, str]]:
    """(style, text) paragraphs of a seed: blank lines separate paragraphs; a paragraph's lines
    are joined without space (Chinese)."""
    out = []
    for index, block in enumerate(blocks(seed)):
        if len(block) == 1:
            style, text = _heading_of(block[0])
            if not style and index == 0 and len(text) <= 40:
                style = "Title"
            out.append((style, text))
        else:
            out.append(("", "".join(line.strip() for line in block)))
    return out


def title_of(seed: str) -> str:
    for style, text in _plan(seed):
        if style == "Title":
            return text
    for _style, text in _plan(seed)[:6]:
        if len(text) <= 40:
            return text
    return "株洲改革报道"


def _setup_document(document, *, title: str):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    normal.paragraph_format.first_line_indent = Pt(22)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans CJK SC")
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    section.header.paragraphs[0].text = HEADER_TEXT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("- ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" -")
    props = document.core_properties
    props.title = title
    props.author = AUTHOR
    props.created = CREATED
    props.modified = CREATED


def _add_paragraph(document, style: str, text: str, bold: bool = False):
    if style:
        return document.add_paragraph(text, style=style)
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = bold or None
    return paragraph


def make_docx(seed: str, path: Path, *, extras: bool = False) -> None:
    import docx

    document = docx.Document()
    _setup_document(document, title=title_of(seed))
    body = 0
    for style, text in _plan(seed):
        _add_paragraph(document, style, text, bold=extras and text == BYLINE_001)
        if not style:
            body += 1
        if extras and body == 4 and not style:
            table = document.add_table(rows=len(TABLE_ROWS), cols=2)
            for r, row in enumerate(TABLE_ROWS):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
            body += 1
    document.save(path)


def make_two_column_docx(seed: str, path: Path) -> None:
    import docx
    from docx.enum.section import WD_SECTION
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    title = title_of(seed)
    _setup_document(document, title=title)
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_paragraph(title, style="Title")
    section = document.add_section(WD_SECTION.CONTINUOUS)
    cols = section._sectPr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        section._sectPr.append(cols)
    cols.set(qn("w:num"), "2")
    cols.set(qn("w:space"), "567")  # 1 cm gutter
    for _style, text in _plan(seed):
        if text == title:
            continue
        _add_paragraph(document, "", text)
    document.save(path)


def _html(seed: str, *, charset: str) -> str:
    from html import escape

    title = title_of(seed)
    parts = []
    for style, text in _plan(seed):
        if text == title:
            continue
        tag = {"Title": "h2", "Heading 1": "h2", "Heading 2": "h3"}.get(style, "p")
        parts.append(f"<{tag}>{escape(text)}</{tag}>")
    nav = "".join(f'<li><a href="/{i}/">{w}</a></li>' for i, w in enumerate(NAV_WORDS))
    related = "".join(f'<li><a href="/a/{i}.html">{escape(t)}</a></li>' for i, t in enumerate(RELATED))
    comments = "".join(f'<div class="comment"><p>{escape(c)}</p><span class="time">2024-11-06</span></div>' for c in COMMENTS)
    hot = "".join(f'<li><a href="/h/{i}.html">{escape(t)}</a></li>' for i, t in enumerate(reversed(RELATED)))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta charset="{charset}">
<title>{escape(title)}_{SITE_NAME}</title>
<meta name="ArticleTitle" content="{escape(title)}">
<meta name="PubDate" content="{PUB_DATE} 08:30">
<meta name="author" content="{AUTHOR}">
<meta name="ContentSource" content="{SITE_NAME}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="{PUB_DATE}T08:30:00+08:00">
<link rel="canonical" href="https://news.zhuzhou.example/a/20241105/1.html">
</head><body>
<header><div class="logo">{SITE_NAME}</div><ul class="nav">{nav}</ul></header>
<div class="breadcrumb">{BREADCRUMB}</div>
<div class="main">
<article class="article">
<h1>{escape(title)}</h1>
<div class="info">{PUB_DATE} 08:30　来源：{SITE_NAME}　作者：{AUTHOR}</div>
<div class="content">
{chr(10).join(parts)}
</div>
</article>
<div class="related"><h3>相关链接</h3><ul>{related}</ul></div>
<div class="comments" id="comments"><h3>网友评论</h3>{comments}</div>
</div>
<aside class="sidebar"><h3>{SIDEBAR}</h3><ol>{hot}</ol></aside>
<footer><p>{FOOTER}</p></footer>
</body></html>
"""


def _zip(path: Path, members: list[tuple[str, bytes]], **kwargs) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, **kwargs) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def gbk_named_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip whose member names are stored in GBK without the UTF-8 flag, as Chinese Windows
    writes them: written with ASCII stand-ins of the same byte length, then patched in place."""
    stand_ins = []
    for name, data in members:
        raw = name.encode("gbk")
        stand_in = "".join(chr(ord("A") + i % 26) for i in range(len(raw) - 4)) + name[-4:] if not name.isascii() else name
        stand_ins.append((stand_in, raw, data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stand_in, _, data in stand_ins:
            archive.writestr(stand_in, data)
    out = buffer.getvalue()
    for stand_in, raw, _ in stand_ins:
        if stand_in.encode("ascii") != raw:
            assert len(stand_in.encode("ascii")) == len(raw)
            out = out.replace(stand_in.encode("ascii"), raw)
    return out


def _encrypted_member_zip_bytes(name: str, data: bytes) -> bytes:
    """A zip whose one member is flagged encrypted (bit 0 of its flags), as a password-protected
    zip's members are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(name, data)
    raw = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        flags = int.from_bytes(raw[at + offset : at + offset + 2], "little") | 0x1
        raw[at + offset : at + offset + 2] = flags.to_bytes(2, "little")
    return bytes(raw)


def _blank_row_below(image, y: int) -> int:
    """The first all-white pixel row at or below y (so a crop does not cut through a text line)."""
    gray = image.convert("L")
    width, height = gray.size
    for row in range(y, height):
        if gray.crop((0, row, width, row + 1)).getextrema()[0] > 200:
            return row
    return y


def make_documents(seeds_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Build every test document (see the module docstring) into out_dir; returns name → path.
    Needs python-docx, pypdf and the tools soffice, pdftoppm and img2pdf; a document whose tool
    is missing is left out of the dict."""
    seeds_dir, out_dir = Path(seeds_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = seeds(seeds_dir)
    stems = {p.stem[:3]: p.stem for p in sorted(seeds_dir.glob("*.txt"))}
    docs: dict[str, Path] = {}

    # --- docx, one per seed; two-column docx
    for key, seed in texts.items():
        path = out_dir / f"{stems[key]}.docx"
        make_docx(seed, path, extras=(key == "001"))
        docs[f"docx/{key}"] = path
    two_docx = out_dir / "two_column.docx"
    make_two_column_docx(texts["000"], two_docx)

    # --- soffice: pdfs of all docx in one call; doc, odt, rtf of 002 (in parallel)
    if shutil.which("soffice"):
        small = docs["docx/002"]
        jobs = {
            "pdf": ([docs[f"docx/{k}"] for k in texts] + [two_docx], "pdf", out_dir),
            "doc": ([small], "doc", out_dir / "doc"),
            "odt": ([small], "odt", out_dir / "odt"),
            "rtf": ([small], "rtf", out_dir / "rtf"),
        }
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(_soffice, outdir, files, target) for files, target, outdir in jobs.values()]
            for future in futures:
                future.result()
        for key in texts:
            docs[f"pdf/{key}"] = out_dir / f"{stems[key]}.pdf"
        docs["two_column_pdf"] = out_dir / "two_column.pdf"
        for fmt in ("doc", "odt", "rtf"):
            docs[fmt] = out_dir / fmt / f"{small.stem}.{fmt}"
        docs["wps"] = out_dir / f"{small.stem}.wps"
        shutil.copyfile(docs["doc"], docs["wps"])

    # --- scans
    if "pdf/002" in docs and shutil.which("pdftoppm") and shutil.which("img2pdf"):
        from PIL import Image

        prefix = out_dir / "page"
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-gray", "-f", "1", "-l", "1", "-singlefile", str(docs["pdf/002"]), str(prefix)], check=True, timeout=120)
        docs["page_png"] = out_dir / "page.png"
        with Image.open(docs["page_png"]) as image:
            width, height = image.size
            cut = _blank_row_below(image, height // 3)
            image.crop((0, 0, width, cut)).save(out_dir / "crop.png", dpi=(200, 200))
            Image.new("L", (width // 2, height // 2), 255).save(out_dir / "blank.png", dpi=(200, 200))
        docs["crop_png"] = out_dir / "crop.png"
        docs["blank_png"] = out_dir / "blank.png"
        subprocess.run(["img2pdf", str(docs["crop_png"]), "-o", str(out_dir / "scan.pdf")], check=True, timeout=120)
        docs["scan_pdf"] = out_dir / "scan.pdf"
        subprocess.run(["img2pdf", str(docs["page_png"]), "-o", str(out_dir / "page1_scan.pdf")], check=True, timeout=120)
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        writer.add_page(PdfReader(out_dir / "page1_scan.pdf").pages[0])
        for page in PdfReader(docs["pdf/002"]).pages[1:]:
            writer.add_page(page)
        with open(out_dir / "mixed.pdf", "wb") as fh:
            writer.write(fh)
        docs["mixed_pdf"] = out_dir / "mixed.pdf"

    if "pdf/002" in docs:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(docs["pdf/002"]))
        writer.encrypt(user_password="mima-1234", owner_password="owner-5678")
        with open(out_dir / "encrypted.pdf", "wb") as fh:
            writer.write(fh)
        docs["encrypted_pdf"] = out_dir / "encrypted.pdf"

    # --- web pages, text
    docs["html_utf8"] = out_dir / "page-utf8.html"
    docs["html_utf8"].write_text(_html(texts["003"], charset="utf-8"), encoding="utf-8")
    docs["html_gb2312"] = out_dir / "page-gb2312.htm"
    docs["html_gb2312"].write_bytes(_html(texts["001"], charset="gb2312").encode("gb18030"))
    docs["txt_gb18030"] = out_dir / "seed-003-gb18030.txt"
    docs["txt_gb18030"].write_bytes(texts["003"].encode("gb18030"))

    # --- broken files
    rng = random.Random(20241105)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    docx_bytes = docs["docx/002"].read_bytes()
    docs["corrupt_docx"] = out_dir / "corrupt.docx"
    docs["corrupt_docx"].write_bytes(docx_bytes[: len(docx_bytes) // 2])
    docs["corrupt_pdf"] = out_dir / "corrupt.pdf"
    docs["corrupt_pdf"].write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise)
    docs["corrupt_zip"] = out_dir / "corrupt.zip"
    docs["corrupt_zip"].write_bytes(b"PK\x03\x04" + noise)

    # --- zips
    inner_inner = _zip_bytes([("deepest.txt", "第三层的文字，不应被读取。".encode())])
    inner = _zip_bytes([("inner-note.txt", "内层压缩包里的说明文字。".encode()), ("deeper.zip", inner_inner)])
    members = [
        ("reports/002.docx", docx_bytes),
        ("reports/003-gb18030.txt", docs["txt_gb18030"].read_bytes()),
        ("web/page.html", docs["html_utf8"].read_bytes()),
        ("inner.zip", inner),
        ("__MACOSX/reports/._002.docx", b"\x00\x05\x16\x07junk"),
        (".DS_Store", b"\x00\x00\x00\x01Bud1junk"),
        ("notes.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really a sheet"),
        ("reports/broken.docx", docx_bytes[:1000]),
    ]
    docs["zip_bundle"] = out_dir / "bundle.zip"
    _zip(docs["zip_bundle"], members)
    docs["zip_encrypted_member"] = out_dir / "locked.zip"
    docs["zip_encrypted_member"].write_bytes(_encrypted_member_zip_bytes("secret.txt", "机密".encode()))
    docs["zip_gbk_names"] = out_dir / "gbk-names.zip"
    docs["zip_gbk_names"].write_bytes(gbk_named_zip([("报告.txt", "株洲市改革报告正文。".encode())]))
    docs["zip_dotdot"] = out_dir / "dotdot.zip"
    _zip(docs["zip_dotdot"], [("ok.txt", "正常文件。".encode()), ("../evil.txt", "越界写入。".encode())])
    docs["zip_bomb"] = out_dir / "bomb.zip"
    with zipfile.ZipFile(docs["zip_bomb"], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.txt", bytes(30 * 1024 * 1024))
    docs["zip_many"] = out_dir / "many.zip"
    _zip(docs["zip_many"], [(f"files/{i:03d}.txt", f"第{i}号文件。".encode()) for i in range(201)])
    return docs


if __name__ == "__main__":
    here = Path(__file__).resolve()
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="format-docs-"))
    made = make_documents(here.parents[4] / "fixtures" / "seeds", out)
    for key, path in made.items():
        print(f"{key:24} {path}")
