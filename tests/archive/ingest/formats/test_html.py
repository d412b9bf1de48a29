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
