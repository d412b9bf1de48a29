"""Reading the Atom feeds as a feed reader does: every feed that includes a report, each parsed
with a real XML parser (xml.etree) and with feedparser, which flags a feed that is not
well-formed (bozo)."""

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import feedparser

from archive.models import Article, ArticleDepartment, Authorship, Department, Person

ATOM = "{http://www.w3.org/2005/Atom}"
# What no stored text may hold: C0 controls but tab and newline, DEL, C1 controls, noncharacters.
CONTROL_OR_NONCHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


def feed_urls(article: Article, q: str) -> list[str]:
    """Every feed that includes the report: the whole archive's, its departments', the
    initiatives its sections mention, and a search for `q`."""
    urls = ["/feed/", "/search/feed/?" + urlencode({"q": q})]
    urls += [f"/departments/{slug}/feed/" for slug in article.departments.values_list("slug", flat=True)]
    slugs = set(article.sections.values_list("mentions__initiative__slug", flat=True)) - {None}
    urls += [f"/initiatives/{slug}/feed/" for slug in sorted(slugs)]
    return urls


def read_feed(client, url) -> tuple[ET.Element, list[str]]:
    """The feed's root and its entries' titles, after checking that it answers 200 with
    well-formed XML by both parsers."""
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)  # raises on anything XML 1.0 cannot carry
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return root, [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


def newest_report(make_article) -> Article:
    """A report first in /feed/ (dated 2099), filed under 株洲市国资委, mentioning 二分法, with a
    byline: it is in the whole archive's feed, a department's, an initiative's and a search's."""
    article = make_article(
        title="“工作项目化”改革测验报道",
        sections=(("", "推行“二分法”改革，工作项目化推进。"),),
        date=datetime.date(2099, 1, 1),
        precision="day",
    )
    department = Department.objects.get(slug="zhuzhou-sasac")
    ArticleDepartment.objects.create(article=article, department=department, role=ArticleDepartment.Role.AUTHOR)
    person = Person.objects.create(name="测验记者", slug="test-feed-reporter")
    Authorship.objects.create(article=article, person=person, order=0, position="记者")
    assert article.sections.filter(mentions__initiative__slug="erfenfa").exists()
    return article
