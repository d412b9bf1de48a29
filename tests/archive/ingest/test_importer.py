"""The raw-text importer: decoding, cleaning, splitting into reports, writing drafts.

The curated corpus is already in the test database (tests/conftest.py), so counts are taken
relative to before each import."""

import datetime
import hashlib
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from archive.ingest import drafts, writer
from archive.ingest.assembly import parse
from archive.ingest.bylines import parse_byline
from archive.ingest.dates import parse_date
from archive.ingest.decoding import decode, split_lines
from archive.ingest.drafts import ImporterError
from archive.ingest.writer import import_file
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Person,
    RawDocument,
    Section,
)

pytestmark = pytest.mark.django_db

SEEDS = sorted((settings.FIXTURES_DIR / "seeds").glob("*.txt"))
# Reports found, checked by hand against the curated corpus (which has 6, 4, 1, 1 and 13):
# 001 is short of one because its fourth report (新田) has no title of its own before its text.
FOUND = {"000": 6, "001": 3, "002": 1, "003": 1, "004": 13}
CURATED = {"000": 6, "001": 4, "002": 1, "003": 1, "004": 13}

TWO_REPORTS = """株洲市资规局:

"工作项目化"改革助推项目跑出"加速度"

本报讯 项目审批提速30%以上;企业直接经济成 本下降12%，时间成本缩短57%。

作为主管部门，株洲市资规局如何在重大项目建设进程中保障"最先一公里"的通畅？

量身定做的专班服务，为"制造名城"夯实了驶向高质量发展的澎湃动力。 （郭淑珍）

株洲市国资委：

实施十大专项行动，蹚出国企改革新路子

本报讯 今年以来，株洲市国资委全力实施十大专项行动，与2021年相比，市属国企员工

减少1044人，全年新增投资 512 万元。

"截至今年10月底，株洲市属国 企营收60.45亿元。"株洲市国资委相关负责人表示。
"""


def counts() -> dict[str, int]:
    models = (RawDocument, Article, Section, Caption, Person, Authorship, ArticleDepartment)
    return {model.__name__: model.objects.count() for model in models}


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def seed_id(path) -> str:
    return path.name[:3]


def non_blank_lines(text: str) -> list[tuple[int, str]]:
    return [(line.number, line.text) for line in split_lines(text) if line.text.strip()]


# ---------------------------------------------------------------------------------------------
# The five seed files


@pytest.mark.parametrize("path", SEEDS, ids=seed_id)
def test_each_seed_parses_into_a_plausible_number_of_reports(path):
    reports = parse(decode(path.read_bytes())[0])
    assert len(reports) >= FOUND[seed_id(path)]
    assert len(reports) <= CURATED[seed_id(path)] + 1
    assert all(report.title.strip() for report in reports)


@pytest.mark.parametrize("path", SEEDS, ids=seed_id)
def test_every_non_blank_raw_line_lands_in_exactly_one_reports_original(path):
    text = decode(path.read_bytes())[0]
    reports = parse(text)
    for number, line in non_blank_lines(text):
        holders = [r for r in reports if r.first_line <= number <= r.last_line]
        assert len(holders) == 1, f"line {number} is in {len(holders)} reports"
        assert line in holders[0].original


@pytest.mark.parametrize("path", SEEDS, ids=seed_id)
def test_no_space_is_left_between_chinese_characters_in_bodies(path):
    for report in parse(decode(path.read_bytes())[0]):
        for section in report.sections:
            assert not re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", section.body), section.body[:60]


def test_reply_document_number_and_date_are_detected():
    (report,) = parse(decode((settings.FIXTURES_DIR / "seeds" / "002_92def54a1eb8131a.txt").read_bytes())[0])
    assert report.doc_number == "株工信字〔2022〕21号"
    assert (report.date, report.date_precision) == (datetime.date(2022, 6, 28), "day")
    assert report.kind == Article.Kind.REPLY
    assert report.title == "对市十六届人大一次会议第1022号建议的答复"
    assert [a.name for a in report.authors] == ["宋长征", "杨帆"]


def test_titles_printed_after_their_text_are_moved_to_the_report_they_close():
    reports = parse(decode((settings.FIXTURES_DIR / "seeds" / "004_c7aa5b0e9d0683af.txt").read_bytes())[0])
    by_title = {r.title: r for r in reports}
    report = by_title["贯彻十九大精神 推动高质量发展"]
    assert report.authors[0].name == "阳卫国" and report.authors[0].position == "市委副书记、市长"
    assert report.sections[1].heading == "一、株洲推动高质量发展的必要性和紧迫性。"
    assert report.sections[0].paragraphs[0].startswith("党的十九大作出")


def test_a_broken_sentence_around_a_photo_caption_is_rejoined_and_the_caption_kept_apart():
    reports = parse(decode((settings.FIXTURES_DIR / "seeds" / "000_681c9cb34ef7a946.txt").read_bytes())[0])
    report = reports[1]
    assert report.captions == ["株洲神农城", "易跃跃 摄"]
    assert ("易跃跃", "photographer") in [(a.name, a.role) for a in report.authors]
    body = "\n".join(s.body for s in report.sections)
    assert "以三项制度改革为突破口" in body
    assert "神农城" not in body


# ---------------------------------------------------------------------------------------------
# Cleaning and detection


def test_lines_broken_mid_paragraph_are_rejoined_and_spurious_spaces_removed():
    (_, second) = parse(TWO_REPORTS)
    body = second.sections[0].body
    assert "市属国企员工减少1044人" in body
    assert "新增投资512万元" in body
    assert "市属国企营收" in body


def test_a_lead_in_and_a_bracketed_byline_are_detected():
    first, second = parse(TWO_REPORTS)
    assert first.title == '"工作项目化"改革助推项目跑出"加速度"'
    assert first.departments == ["株洲市资规局"]
    assert [(a.name, a.role) for a in first.authors] == [("郭淑珍", "author")]
    assert "郭淑珍" not in first.sections[-1].body
    assert second.departments == ["株洲市国资委"]
    assert second.title == "实施十大专项行动，蹚出国企改革新路子"


def test_a_byline_on_its_own_line_closes_the_report():
    text = "标题一\n\n第一篇的正文。\n\n（郭淑珍）\n\n标题二\n\n第二篇的正文。\n"
    first, second = parse(text)
    assert first.authors[0].name == "郭淑珍"
    assert (first.title, second.title) == ("标题一", "标题二")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("吴文奕 张建平", [("吴文奕", "author", ""), ("张建平", "author", "")]),
        ("（郭淑珍）", [("郭淑珍", "author", "")]),
        ("(柳 杨)", [("柳杨", "author", "")]),
        ("市委副书记、市长 阳卫国", [("阳卫国", "author", "市委副书记、市长")]),
        ("本报记者 张三 通讯员 李四", [("张三", "reporter", ""), ("李四", "correspondent", "")]),
        ("承 办 人： 杨 帆", [("杨帆", "author", "承办人")]),
    ],
)
def test_bylines_name_their_people(line, expected):
    assert [(a.name, a.role, a.position) for a in parse_byline(line)] == expected


@pytest.mark.parametrize("line", ["民声所向 治理所往", "向改革要动力 发展难题加力破解", "株洲神农城", "陈代陆代表："])
def test_headings_and_salutations_are_not_bylines(line):
    assert parse_byline(line) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022年6月28日", (datetime.date(2022, 6, 28), "day")),
        ("2024年11月", (datetime.date(2024, 11, 1), "month")),
        ("2019年", (datetime.date(2019, 1, 1), "year")),
        ("二〇二二年六月二十八日", (datetime.date(2022, 6, 28), "day")),
        ("2022年2月30日", None),
    ],
)
def test_dates_are_read_with_their_precision(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("number", ["株工信字〔2022〕21号", "株政发[2023]5号", "株办发﹝2018﹞32 号"])
def test_document_numbers_are_found_with_any_brackets(number):
    (report,) = parse(f"某某单位文件\n\n{number}\n\n关于某事的答复\n\n现答复如下：同意。\n")
    assert report.doc_number == number.replace(" ", "")
    assert report.kind == Article.Kind.REPLY
    assert report.date_precision == "year"
    # the year of a document number is not a printed date: flagged, and the note says so
    assert report.date_inferred and "日期推定" in report.editorial_note


def test_markdown_headings_start_reports_and_sections():
    text = "# 第一篇\n\n## ——副题\n\n张三 李四\n\n导语。\n\n### 小标题\n\n正文。\n\n# 第二篇\n\n正文二。\n"
    first, second = parse(text)
    assert (first.title, first.subtitle) == ("第一篇", "副题")
    assert [a.name for a in first.authors] == ["张三", "李四"]
    assert [s.heading for s in first.sections] == ["", "小标题"]
    assert second.title == "第二篇"


# ---------------------------------------------------------------------------------------------
# Encodings, line endings, refusals


def test_gb18030_files_are_decoded(tmp_path):
    path = write(tmp_path, "gbk.txt", TWO_REPORTS.encode("gb18030"))
    result = import_file(path)
    assert result.encoding == "gb18030"
    assert result.raw_document.text == TWO_REPORTS
    assert [a.title for a in result.articles] == [r.title for r in parse(TWO_REPORTS)]


def test_utf8_files_with_a_byte_order_mark_are_decoded_without_it(tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + TWO_REPORTS.encode("utf-8"))
    result = import_file(path)
    assert result.encoding == "utf-8-sig"
    assert not result.raw_document.text.startswith("\ufeff")
    assert result.reports[0].departments == ["株洲市资规局"]


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings_split_like_lf_and_stay_verbatim_in_the_original(tmp_path, ending):
    path = write(tmp_path, "crlf.txt", TWO_REPORTS.replace("\n", ending).encode("utf-8"))
    result = import_file(path)
    lf = parse(TWO_REPORTS)
    assert [(r.title, r.first_line, r.last_line) for r in result.reports] == [(r.title, r.first_line, r.last_line) for r in lf]
    assert [s.body for s in result.reports[1].sections] == [s.body for s in lf[1].sections]
    assert ending in result.articles[0].original_text
    assert result.raw_document.text == TWO_REPORTS.replace("\n", ending)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "文件是空的"),
        (b"  \n\r\n\t \n", "文件是空的"),
        ("\u3000\n \n".encode("utf-8"), "只有空白"),
        (bytes(range(256)) * 4, "二进制"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 32)) * 20, "控制字符"),
        ("标题".encode("utf-8") + b"\xff\xfe\xfd\x80" * 10, "既不是 UTF-8 也不是 GB18030"),
    ],
    ids=["empty", "blank-lines", "ideographic-spaces", "nul-bytes", "control-characters", "undecodable"],
)
def test_files_that_are_not_text_are_refused_by_name_and_nothing_is_written(tmp_path, data, message):
    path = write(tmp_path, "bad.txt", data)
    before = counts()
    with pytest.raises(ImporterError, match=message) as caught:
        import_file(path)
    assert "bad.txt" in str(caught.value)
    assert counts() == before


def test_the_command_reports_a_refused_file_and_still_imports_the_others(tmp_path):
    good = write(tmp_path, "good.txt", TWO_REPORTS.encode("utf-8"))
    bad = write(tmp_path, "bad.txt", b"")
    before = counts()
    out = StringIO()
    with pytest.raises(CommandError, match="《bad.txt》：文件是空的"):
        call_command("import_reports", str(bad), str(good), stdout=out, stderr=StringIO())
    assert [line.split()[:4] for line in out.getvalue().splitlines() if line.startswith("good.txt")] == [
        ["good.txt", "txt", "已导入", "2"]
    ]
    assert counts()["Article"] == before["Article"] + 2
    assert counts()["RawDocument"] == before["RawDocument"] + 1


def test_the_command_refuses_a_missing_file_before_importing_anything(tmp_path):
    good = write(tmp_path, "good.txt", TWO_REPORTS.encode("utf-8"))
    before = counts()
    with pytest.raises(CommandError, match="找不到"):
        call_command("import_reports", str(good), str(tmp_path / "nope.txt"), stdout=StringIO())
    assert counts() == before


# ---------------------------------------------------------------------------------------------
# Writing drafts


def test_imported_reports_are_drafts_with_their_raw_document_and_an_editorial_note(tmp_path):
    path = write(tmp_path, "two.txt", TWO_REPORTS.encode("utf-8"))
    result = import_file(path)
    assert len(result.articles) == 2
    for article in result.articles:
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        assert article.slug.startswith("draft-")
        assert article.raw_document == result.raw_document
        assert article.editorial_note.startswith(drafts.EDITORIAL_NOTE)
        assert article.sections.exists()
    assert not Article.objects.published().filter(pk__in=[a.pk for a in result.articles]).exists()
    first = result.articles[0]
    assert list(first.authors.values_list("name", flat=True)) == ["郭淑珍"]
    assert list(first.departments.values_list("slug", flat=True)) == ["zhuzhou-natural-resources"]
    assert result.raw_document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.raw_document.report["reports"][0]["title"] == first.title


def test_importing_the_same_bytes_twice_changes_nothing(tmp_path):
    path = write(tmp_path, "once.txt", TWO_REPORTS.encode("utf-8"))
    call_command("import_reports", str(path), stdout=StringIO())
    after_first = counts()
    copy = write(tmp_path, "copy-with-another-name.txt", path.read_bytes())
    out = StringIO()
    call_command("import_reports", str(path), str(copy), stdout=out)
    assert counts() == after_first
    rows = {line.split()[0]: line.split() for line in out.getvalue().splitlines() if ".txt" in line.split()[0]}
    assert rows["once.txt"][1:4] == ["txt", "重复", "0"]
    assert rows["copy-with-another-name.txt"][1:] == ["txt", "重复", "0", "与已导入的《once.txt》字节相同"]


def test_a_failure_half_way_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = write(tmp_path, "fails.txt", TWO_REPORTS.encode("utf-8"))
    before = counts()
    save_draft = writer._save_draft
    saved = []

    def save_then_fail(*args, **kwargs):
        if saved:
            raise RuntimeError("disk full")
        saved.append(save_draft(*args, **kwargs))
        return saved[-1]

    monkeypatch.setattr(writer, "_save_draft", save_then_fail)
    with pytest.raises(RuntimeError):
        import_file(path)
    assert saved and saved[0].pk  # the first draft had been written …
    assert counts() == before  # … and was rolled back with everything else
    monkeypatch.undo()
    assert len(import_file(path).articles) == 2  # nothing was left behind that blocks a retry


def test_a_dry_run_shows_what_it_would_create_and_writes_nothing(tmp_path):
    path = write(tmp_path, "dry.txt", TWO_REPORTS.encode("utf-8"))
    before = counts()
    out = StringIO()
    call_command("import_reports", str(path), "--dry-run", stdout=out)
    assert counts() == before
    text = out.getvalue()
    assert ["dry.txt", "txt", "试运行", "2"] in [line.split()[:4] for line in text.splitlines()]
    assert "实施十大专项行动，蹚出国企改革新路子" in text
    assert "作者：郭淑珍" in text


def test_uncertain_lines_are_kept_in_the_raw_documents_report_and_printed(tmp_path):
    text = "标题\n\n张三 李四\n\n正文第一段。\n\n\n\n图片说明一句。\n\n正文第二段。\n\n联系电话： 12345678\n"
    path = write(tmp_path, "unsure.txt", text.encode("utf-8"))
    out = StringIO()
    call_command("import_reports", str(path), stdout=out)
    raw = RawDocument.objects.get(filename="unsure.txt")
    whys = {item["line"]: item["why"] for item in raw.report["uncertain"]}
    assert set(whys) == {9, 13}
    assert "unsure.txt 第9行：图片说明一句。" in out.getvalue()
    article = raw.articles.get()
    assert list(article.captions.values_list("text", flat=True)) == ["图片说明一句。"]
    assert "联系电话" in article.original_text and "联系电话" not in article.sections.get().body


def test_every_seed_imports_as_drafts_whose_originals_cover_the_file(tmp_path):
    # An archive that does not hold these reports yet: the curated corpus already does, and a
    # report already in the archive is reported, not imported again.
    Article.objects.all().delete()
    before = counts()
    out = StringIO()
    # The seeds are in the test database already (as the curated corpus's raw documents), so
    # import copies with one byte changed to give them a new identity.
    copies = [write(tmp_path, p.name, p.read_bytes() + b"\n") for p in SEEDS]
    call_command("import_reports", *map(str, copies), stdout=out, verbosity=2)
    assert counts()["RawDocument"] == before["RawDocument"] + len(SEEDS)
    for path in copies:
        raw = RawDocument.objects.get(sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        originals = "".join(a.original_text for a in raw.articles.order_by("pk"))
        for _, line in non_blank_lines(raw.text):
            assert line in originals
        assert raw.articles.count() >= FOUND[path.name[:3]]
        assert not raw.articles.exclude(status=Article.Status.DRAFT).exists()
    assert ["004_c7aa5b0e9d0683af.txt", "txt", "已导入", "13"] in [line.split()[:4] for line in out.getvalue().splitlines()]


def test_unresolvable_departments_are_reported_not_invented(tmp_path):
    text = "某某县某某局:\n\n一个标题\n\n正文一段。（郭淑珍）\n"
    path = write(tmp_path, "unknown.txt", text.encode("utf-8"))
    departments = Department.objects.count()
    result = import_file(path)
    assert Department.objects.count() == departments
    assert result.unresolved_departments == ["某某县某某局"]
    assert result.raw_document.report["unresolved_departments"] == ["某某县某某局"]
    assert not result.articles[0].departments.exists()


def test_a_byline_closing_a_wrapped_paragraph_ends_the_report():
    """In hard-wrapped text (a PDF's text layer) a paragraph that ends “……表示。 （陈旭尧）” is
    closed: the next title starts a report of its own instead of being joined to it."""
    wrapped = "\n".join("这是一行按固定宽度折行的正文文字，内容是关于改革的报道，继续" for _ in range(12))
    text = (
        "国企改革的新路子\n\n" + wrapped + "\n落实到位。有关负责人表示。 （陈旭尧）\n\n"
        "园区改革再出发\n\n另一篇报道的正文，讲述园区体制机制改革的做法和成效。\n"
    )
    reports = parse(text)
    assert [r.title for r in reports] == ["国企改革的新路子", "园区改革再出发"]
    assert [a.name for a in reports[0].authors] == ["陈旭尧"]
