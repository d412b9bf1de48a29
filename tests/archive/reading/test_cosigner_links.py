"""A co-signer's count on a person's page ("共同署名：杨帆 3篇") opens the list of exactly the
reports the two signed together, so the number on the link is the number of reports on the page
it opens, and every report there is signed by both. Checked for every co-signer of every person
page of the curated corpus."""

import re
from html import unescape

import pytest
from django.test import Client

from archive.models import Article, Authorship, Person, published_q

pytestmark = pytest.mark.django_db

# <li><a href="/people/yang-fan/">杨帆</a> <a class="count" href="/people/song/?with=yang-fan" …>3篇</a></li>
COSIGNER = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> <a class="count" href="([^"]+)"[^>]*>(\d+)篇</a></li>')
TOTAL = re.compile(r'id="reports-h">[^（<]*（(\d+)篇）')
ARTICLE = re.compile(r'<a class="title" href="([^"]+)">')


def cosigners(html: str) -> list[tuple[str, str, str, int]]:
    start = html.index('aria-labelledby="co-h"')
    section = html[start : html.index("</section>", start)]
    return [(unescape(page), name, unescape(link), int(n)) for page, name, link, n in COSIGNER.findall(section)]


def listed_reports(client: Client, url: str) -> tuple[int, list[str]]:
    """The total the opened page states, and the report links on it and on its following pages."""
    html = client.get(url).content.decode()
    total = int(TOTAL.search(html).group(1))
    links = ARTICLE.findall(html)
    page = 2
    while len(links) < total:  # more than one page of reports
        more = ARTICLE.findall(client.get(url + f"&page={page}").content.decode())
        assert more, url
        links += more
        page += 1
    return total, [unescape(link) for link in links]


def signers_by_url() -> dict[str, set[str]]:
    signers: dict[str, set[str]] = {}
    articles = {a.pk: a.get_absolute_url() for a in Article.objects.published()}
    for article_id, slug in Authorship.objects.filter(article_id__in=articles).values_list("article_id", "person__slug"):
        signers.setdefault(articles[article_id], set()).add(slug)
    return signers


def test_every_cosigner_count_opens_exactly_the_reports_the_two_signed_together(make_article):
    client = Client()
    # In the corpus some co-signers signed nothing else; one report each signed alone makes every
    # person's own list longer than any list shared with another, so the two cannot be confused.
    cosigning = {slug for slugs in signers_by_url().values() if len(slugs) > 1 for slug in slugs}
    for person in Person.objects.filter(slug__in=cosigning):
        Authorship.objects.create(article=make_article(title=f"{person.name}独自署名的报道"), person=person)
    signers = signers_by_url()
    checked = 0
    for person in Person.objects.filter(published_q("authorships__article")).distinct():
        html = client.get(person.get_absolute_url()).content.decode()
        if 'aria-labelledby="co-h"' not in html:
            continue
        for other_page, name, link, count in cosigners(html):
            other = other_page.strip("/").split("/")[-1]
            total, reports = listed_reports(client, link)
            assert total == count == len(reports) == len(set(reports)), (person.name, name, count, total, len(reports))
            assert all({person.slug, other} <= signers[url] for url in reports), (person.name, name)
            checked += 1
    # every pair of people who signed a published report together was checked (at most 12 per page)
    together: dict[str, set[str]] = {}
    for slugs in signers.values():
        for slug in slugs:
            together.setdefault(slug, set()).update(slugs - {slug})
    assert checked == sum(min(len(others), 12) for others in together.values()) > 10


def test_the_joint_list_says_whose_reports_it_shows_and_links_back_to_all_of_them():
    client = Client()
    person = Person.objects.get(name="宋长征")
    other_page, name, link, count = cosigners(client.get(person.get_absolute_url()).content.decode())[0]
    html = client.get(link).content.decode()
    assert f"与{name}共同署名的报道（{count}篇）" in html
    assert f'href="{person.get_absolute_url()}">查看{person.name}署名的全部报道</a>' in html
    # an unknown co-signer is ignored: the person's whole list, not an error
    whole = client.get(person.get_absolute_url()).content.decode()
    unknown = client.get(person.get_absolute_url() + "?with=no-such-person").content.decode()
    assert TOTAL.search(unknown).group(1) == TOTAL.search(whole).group(1)
