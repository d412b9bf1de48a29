"""Atom feeds stay valid XML whatever was stored before the archive cleaned its input: control
characters and noncharacters in a title, a subtitle, a section, a byline, a department's or an
initiative's name (archive.reading.feeds.XMLSafeAtom1Feed passes every text through
archive.text.xml_safe). Before, a vertical tab or form feed made every feed with the report
answer 500 and U+FFFE gave a 200 that no XML parser reads."""

import re

import pytest

from archive.models import Article, Department, Initiative, Person, Section
from tests.archive.reading.feedcheck import CONTROL_OR_NONCHARACTER, feed_urls, newest_report, read_feed

pytestmark = pytest.mark.django_db

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STORED_BEFORE_THE_FIX = ["\x0b", "\x0c", "\x00", "\x01", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff"]


@pytest.fixture
def report(make_article):
    return newest_report(make_article)


@pytest.mark.parametrize("ch", STORED_BEFORE_THE_FIX, ids=[f"U+{ord(c):04X}" for c in STORED_BEFORE_THE_FIX])
def test_every_feed_with_the_report_is_valid_xml_whatever_its_stored_texts_hold(client, report, ch, vendor):
    if ch == "\x00" and vendor == "postgresql":
        pytest.skip("PostgreSQL stores no text with a NUL character: nothing old can hold one there")
    # Written past every cleaning (as data stored before it was): a queryset update.
    Article.objects.filter(pk=report.pk).update(title=f"“工作项目{ch}化”改革测验报道", subtitle=f"副{ch}标题")
    Section.objects.filter(article=report).update(body=f"推行“二分法”改革，{ch}工作项目化推进。")
    Person.objects.filter(slug="test-feed-reporter").update(name=f"测验{ch}记者")
    Department.objects.filter(slug="zhuzhou-sasac").update(name=f"株洲市国资{ch}委")
    Initiative.objects.filter(slug="erfenfa").update(name=f"二分{ch}法")
    for url in feed_urls(report, "工作项目"):
        root, titles = read_feed(client, url)
        mine = [t for t in titles if "改革测验报道" in t]
        assert len(mine) == 1, url  # the report is in every one of them
        # XML 1.0 carries DEL and the C1 controls (U+007F–U+009F); nothing else of them is left
        assert CONTROL_OR_NONCHARACTER.sub("", mine[0]).replace(" ", "") == "“工作项目化”改革测验报道"
        assert not NOT_XML.search(mine[0])


def test_a_control_character_in_the_search_query_is_left_out_of_the_feed_title(client, report):
    root, titles = read_feed(client, "/search/feed/?q=工作项目%0B化")
    assert "改革测验报道" in "".join(titles)
