"""/sitemap.xml and /robots.txt, read as a search engine reads them: the sitemap parsed as XML,
robots.txt by urllib.robotparser."""

import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from archive.models import Article, Department, Initiative, Person
from archive.reading.selectors.changes import last_change

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return {
        url.find(f"{SITEMAP}loc").text: getattr(url.find(f"{SITEMAP}lastmod"), "text", None)
        for url in root.findall(f"{SITEMAP}url")
    }


def test_sitemap_lists_every_published_article_with_its_last_change_and_no_draft(client, make_article):
    draft = make_article(title="草稿", status=Article.Status.DRAFT, slug="sitemap-draft")
    entries = sitemap_entries(client)
    for article in Article.objects.published():
        url = f"http://testserver{article.get_absolute_url()}"
        assert entries[url] == timezone.localtime(last_change(article)).date().isoformat()
    assert f"http://testserver{draft.get_absolute_url()}" not in entries
    articles = [url for url in entries if "/articles/" in url and url != "http://testserver/articles/"]
    assert len(articles) == Article.objects.published().count()


def test_sitemap_lists_departments_initiatives_and_people_who_signed_a_published_report(client):
    entries = sitemap_entries(client)
    for obj in [*Department.objects.all(), *Initiative.objects.all()]:
        assert f"http://testserver{obj.get_absolute_url()}" in entries
    signed = Person.objects.filter(authorships__article__status="published").distinct()
    people = {url for url in entries if "/people/" in url and url != "http://testserver/people/"}
    assert people == {f"http://testserver{p.get_absolute_url()}" for p in signed}
    unsigned = Person.objects.create(name="未署名者", slug="wei-shu-ming-zhe")
    assert f"http://testserver{unsigned.get_absolute_url()}" not in sitemap_entries(client)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin_exports_and_searches(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]
    article = Article.objects.published().first()
    allowed = [
        "/",
        article.get_absolute_url(),
        "/departments/zhuzhou-sasac/",
        "/initiatives/erfenfa/",
        "/search/help/",
        "/feed/",
        "/sitemap.xml",
    ]
    kept_out = [
        "/admin/",
        "/admin/archive/article/",
        "/search/?q=改革",
        "/search/export.csv?q=改革",
        "/api/search?q=x",
        "/articles.csv",
        "/articles.json",
        "/departments.csv",
        "/initiatives.json",
        "/oai?verb=Identify",
    ]
    for path in allowed:
        assert robots.can_fetch("Baiduspider", f"http://testserver{path}"), path
    for path in kept_out:
        assert not robots.can_fetch("Baiduspider", f"http://testserver{path}"), path
    # Every list's downloads, for the crawlers that read wildcards (Google, Bing, Baidu).
    assert "Disallow: /*/reports." in response.content.decode()
