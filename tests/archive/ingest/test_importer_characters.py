"""Control characters and noncharacters in imported files: the importer stores text by
archive.text.stored_text (a form feed — a page break in text converted from PDF — or a vertical
tab ends a line; other controls and noncharacters go), so the drafts, their raw document and,
once published, every feed that includes them are clean. Before, it kept \\f and \\v, and a
published draft made its feeds answer 500."""

import pytest
from django.contrib.auth.models import User

from archive import services
from archive.ingest.formats.base import Extracted, Line
from archive.ingest.repeats import RepeatFinder
from archive.ingest.writer import import_extracted, import_file
from archive.models import Article, Authorship, Caption
from tests.archive.reading.feedcheck import CONTROL_OR_NONCHARACTER, feed_urls, read_feed

pytestmark = pytest.mark.django_db

REPORT = """株洲市国资委：

“工作项目{c1}化”改革助推鹭岛测验项目

本报讯 鹭岛测验项目审批提速，企业成本下降。{c2}株洲市国资委推行“二分法”改革。{c3}

作为主管部门，株洲市国资委如何在重大项目建设进程中保障{c4}通畅？ （郭{c5}淑珍）
"""


def stored_texts(article: Article) -> list[str]:
    texts = [article.title, article.subtitle, article.original_text, article.raw_document.text]
    texts += [t for s in article.sections.all() for t in (s.heading, s.body)]
    texts += list(Caption.objects.filter(article=article).values_list("text", flat=True))
    texts += [t for a in Authorship.objects.filter(article=article).select_related("person") for t in (a.person.name, a.position)]
    return texts


def publish_and_read_feeds(client, article):
    Article.objects.filter(pk=article.pk).update(date="2099-01-01", date_precision="day")  # first in /feed/
    services.article_set_status(
        article=article, status=Article.Status.PUBLISHED, user=User.objects.create_superuser("importer-check", password="x")
    )
    for url in feed_urls(article, "鹭岛测验"):
        _, titles = read_feed(client, url)
        assert article.title in titles, url


def test_a_text_file_with_page_breaks_and_vertical_tabs_is_stored_clean(tmp_path, client):
    # A text file may hold only a few odd characters (more and it is refused as binary): \f and
    # \v are line endings to the decoder, NEL and U+FFFE count as odd.
    text = REPORT.format(c1="\x0b", c2="\x0c", c3="\x85", c4="\ufffe", c5="\x0b")
    path = tmp_path / "controls.txt"
    path.write_bytes(text.encode("utf-8"))
    result = import_file(path)
    (article,) = result.articles
    # the vertical tab broke the title line in two, and the importer re-joined the broken line
    assert article.title == "“工作项目化”改革助推鹭岛测验项目"
    assert not any(CONTROL_OR_NONCHARACTER.search(t) for t in stored_texts(article))
    assert "企业成本下降。\n株洲市国资委推行" in result.raw_document.text  # the form feed ends a line
    publish_and_read_feeds(client, article)


@pytest.mark.parametrize(
    "chars",
    [
        ("\x0b", "\x0c", "\x00", "\x85", "\x9f"),
        ("\x01", "\x1f", "\x7f", "\ufffe", "\uffff"),
        ("\ud800", "\udfff", "\ufdd0", "\U0010ffff", "\x1b"),
    ],
    ids=["vt-ff-nul-nel-c1", "c0-del-fffe-ffff", "surrogates-nonchars-esc"],
)
def test_any_document_format_is_stored_clean(client, chars):
    # What an adapter (Word, PDF, web page…) hands over goes through the same writer.
    c1, c2, c3, c4, c5 = chars
    text = REPORT.format(c1=c1, c2=c2, c3=c3, c4=c4, c5=c5)
    extracted = Extracted(
        name=f"控制{c5}字符.html", format="html", engine="测验", lines=[Line(t) for t in text.split("\n")],
        data=text.encode("utf-8", "surrogatepass"), hints={"source": f"测验{c1}网"},
    )
    result = import_extracted(extracted, finder=RepeatFinder())
    (article,) = result.articles
    assert article.title.replace(" ", "") == "“工作项目化”改革助推鹭岛测验项目"
    texts = stored_texts(article) + [article.source.name, result.raw_document.filename]
    assert not any(CONTROL_OR_NONCHARACTER.search(t) for t in texts)
    publish_and_read_feeds(client, article)
