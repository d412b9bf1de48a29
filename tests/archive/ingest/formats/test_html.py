"""Saved web pages: the article body, metadata hints, the declared charset."""

import pytest

from archive.ingest import formats
from archive.ingest.formats import FormatError
from archive.ingest.formats.webpage import declared_charset

from .conftest import record
from .documents import (
    AUTHOR,
    BREADCRUMB,
    COMMENTS,
    FOOTER,
    NAV_WORDS,
    PUB_DATE,
    RELATED,
    SIDEBAR,
    SITE_NAME,
    recovered,
    title_of,
)

PAGES = {"html_utf8": "003", "html_gb2312": "001"}


@pytest.mark.parametrize("key", PAGES)
def test_html_recovers_the_article_text(documents, seed_texts, key):
    [result] = formats.read(documents[key])
    share = recovered(seed_texts[PAGES[key]], result.plain())
    record(f"html {PAGES[key]} ({key}): {share:.2%} of seed characters recovered")
    assert share >= 0.98
    assert result.format == "html" and result.engine.startswith("trafilatura ")
    assert result.data == documents[key].read_bytes()


@pytest.mark.parametrize("key", PAGES)
def test_html_navigation_comments_related_links_and_footer_are_dropped(documents, key):
    [result] = formats.read(documents[key])
    text = result.plain()
    for junk in [BREADCRUMB, FOOTER, SIDEBAR, "网友评论", "相关链接", *COMMENTS, *RELATED, " ".join(NAV_WORDS)]:
        assert junk not in text, junk
    assert not [line for line in result.lines if line.text.strip() in NAV_WORDS]


@pytest.mark.parametrize("key", PAGES)
def test_html_title_comes_first_as_a_title_line_once(documents, seed_texts, key):
    [result] = formats.read(documents[key])
    title = title_of(seed_texts[PAGES[key]])
    assert result.lines[0].text == title and result.lines[0].style == "title"
    assert [line.text for line in result.lines].count(title) == 1
    assert result.text().startswith(f"# {title}\n\n")


def test_html_metadata_becomes_hints(documents, seed_texts):
    [result] = formats.read(documents["html_gb2312"])
    assert result.hints["title"] == title_of(seed_texts["001"])
    assert result.hints["source"] == SITE_NAME
    assert result.hints["date"].startswith(PUB_DATE)
    assert result.hints["author"] == AUTHOR
    assert result.hints["url"] == "https://news.zhuzhou.example/a/20241105/1.html"


def test_gb2312_page_is_decoded_as_gb18030(documents, seed_texts):
    data = documents["html_gb2312"].read_bytes()
    assert declared_charset(data) == "gb18030"
    [result] = formats.read(documents["html_gb2312"])
    assert "株洲国资国企“十四五”高质量发展观察" in result.plain()
    assert "\ufffd" not in result.plain() and not result.warnings


def test_html_headings_become_heading_lines(documents):
    [result] = formats.read(documents["html_gb2312"])
    styled = {line.text: line.style for line in result.lines if line.style}
    assert styled.get("机制之变：破立并举，激活一池春水", "").startswith("heading")


@pytest.mark.parametrize(
    "head, charset",
    [
        (b'<meta charset="GBK">', "gb18030"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
        (b"<meta charset=utf-8>", "utf-8"),
        (b'<?xml version="1.0" encoding="GB18030"?>', "gb18030"),
        (b"<html>", None),
    ],
)
def test_declared_charset_is_found(head, charset):
    assert declared_charset(head + b"<p>x</p>") == charset


def test_undeclared_gbk_page_is_still_read():
    body = "".join(f"<p>株洲市深化园区体制机制改革，第{i}段正文内容较长，讲述改革经验和具体做法。</p>" for i in range(12))
    data = f"<html><head><title>园区改革</title></head><body><article>{body}</article></body></html>".encode("gbk")
    [result] = formats.read_bytes(data, "无声明.html")
    assert "株洲市深化园区体制机制改革" in result.plain()


def test_page_with_no_article_is_refused():
    data = '<html><head><meta charset="utf-8"></head><body><nav><a href="/">首页</a></nav></body></html>'.encode()
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(data, "空页.html")
    assert "《空页.html》" in str(excinfo.value) and "正文" in str(excinfo.value)


PAGE_WITHOUT_A_PRINTED_DATE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>某区推行工作项目化改革</title>
<meta property="article:published_time" content="2024-11-05T08:00:00+08:00">
<meta property="og:site_name" content="株洲新闻网"></head><body><article><h1>某区推行工作项目化改革</h1>
<p>本报讯 今年以来，某区自然资源部门把重点工作分解为项目，由专班逐项推进，全年已为七十一个项目保障用地八千余亩，审批时间比去年缩短三分之一。</p>
<p>该区还建立了周调度、月通报制度，把每个项目的进度、难点和责任人列成清单，在每周例会上逐项过堂，确保项目按期落地。</p>
<p>下一步，该区将继续深化工作项目化改革，推动更多审批事项一次办好，为重点项目建设提供更有力的要素保障。</p>
</article></body></html>"""


@pytest.mark.django_db
def test_a_date_taken_from_the_web_page_not_the_text_is_flagged_inferred_with_a_plain_note(tmp_path, settings):
    from archive.ingest.writer import import_file

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "page.html"
    path.write_text(PAGE_WITHOUT_A_PRINTED_DATE, encoding="utf-8")
    [article] = import_file(path).articles
    assert (article.date.isoformat(), article.date_precision, article.date_inferred) == ("2024-11-05", "day", True)
    assert "日期推定：正文未印日期，据网页所载的发布日期（2024-11-05）填写" in article.editorial_note
    assert article.display_date == "[2024年11月5日]"
