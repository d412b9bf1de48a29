"""What a reader sees is plain Chinese: no jargon (语料) and no field names of the fixtures or the
code (记为author, departments作者, 移入captions, reading_order) inside Chinese text, on any
public page of the corpus; one name, 署名人, for the people catalog; a subscribe link a clerk
understands."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from archive.models import Article, Department, Initiative, Person, Series, Source

CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"  # ideographs and full-width punctuation
ASCII_WORD_BESIDE_CJK = re.compile(rf"(?<=[{CJK}])[A-Za-z_]{{3,}}|[A-Za-z_]{{3,}}(?=[{CJK}])")
# Real names that may stand in Chinese text: formats and protocols, and programs' names.
ALLOWED = {"Atom", "Tesseract", "Word", "Excel", "BibTeX", "EndNote", "Zotero", "NoteExpress"}
JARGON = ("语料",)


class _VisibleText(HTMLParser):
    """The text a reader sees: no scripts or styles, and no <code> (literal things to type,
    such as pinyin in the search help)."""

    HIDDEN = {"script", "style", "code", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


def field_names_in(text: str) -> list[str]:
    """ASCII words of three or more letters touching Chinese text that look like field names:
    not an all-capital abbreviation (PDF, CSV, GDP, RCEP) and not an allowed name (Atom)."""
    found = []
    for match in ASCII_WORD_BESIDE_CJK.finditer(text):
        word = match.group()
        if word.isupper() or word in ALLOWED:
            continue
        found.append(text[max(0, match.start() - 12) : match.end() + 12])
    return found


def test_the_checker_finds_field_names_in_chinese_text_and_passes_real_names():
    assert field_names_in("原文未注明身份，记为author。") == ["原文未注明身份，记为author。"]
    assert field_names_in("记为撰稿单位（departments作者）")
    assert field_names_in("阅读顺序（reading_order）为第5—23行")
    assert field_names_in("已移入captions，摄影者")
    assert not field_names_in("下载 CSV 或 PDF文件，订阅 Atom")
    assert not field_names_in("GDP比重降至13.6%，对接RCEP开放体系，共1.96万亩")
    # <code> holds literal input (pinyin to type in the search box), left out of the check
    assert visible_text("<p>比如 <code>erfenfa</code>、<code>eff</code></p>") == "比如 、"


def public_pages() -> list[str]:
    pages = [
        reverse(name)
        for name in (
            "archive:home", "archive:articles", "archive:departments", "archive:initiatives", "archive:years",
            "archive:kinds", "archive:sources", "archive:series_list", "archive:people", "search:search", "search:help",
        )
    ]
    published = Article.objects.published()
    pages += [a.get_absolute_url() for a in published]
    pages += [reverse("archive:year", kwargs={"year": y}) for y in sorted({a.date.year for a in published if a.date})]
    pages += [reverse("archive:kind", kwargs={"kind": k}) for k in sorted(set(published.values_list("kind", flat=True)))]
    for model in (Department, Initiative, Person, Series, Source):
        pages += [obj.get_absolute_url() for obj in model.objects.all()]
    return pages


@pytest.mark.django_db
def test_no_public_page_has_jargon_or_field_names_in_its_chinese_text():
    client = Client()
    problems, pages = [], public_pages()
    assert len(pages) > 200  # every department, initiative, person and report of the corpus
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        problems += [f"{url}: {word}" for word in JARGON if word in text]
        problems += [f"{url}: …{context}…" for context in field_names_in(text)]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.django_db
def test_editorial_notes_of_the_corpus_name_no_fixture_fields():
    for article in Article.objects.published():
        assert not field_names_in(article.editorial_note), (article.slug, field_names_in(article.editorial_note))
    for model in (Department, Initiative):
        assert not model.objects.filter(summary__contains="语料").exists()


@pytest.mark.django_db
def test_load_corpus_reports_in_plain_chinese():
    out = StringIO()
    call_command("load_corpus", stdout=out)
    text = out.getvalue()
    assert "语料" not in text and not re.search(r"[A-Za-z_]{3,}", text), text
    assert "保留 报道 25 篇" in text


@pytest.mark.django_db
def test_the_people_catalog_has_one_name_everywhere():
    client = Client()
    person = Person.objects.filter(authorships__article__status="published").first()
    department = Department.objects.exclude(people=None).first()
    for url in (reverse("archive:home"), reverse("archive:people"), person.get_absolute_url(), department.get_absolute_url()):
        text = visible_text(client.get(url).content.decode())
        assert "署名人" in text, url
        assert "人物" not in text and "署名作者" not in text, url
    assert Person._meta.verbose_name == "署名人"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/articles/", "/years/2024/", "/initiatives/erfenfa/", "/search/?q=园区"])
def test_the_subscribe_link_says_what_it_is_and_how_to_use_it(url):
    html = Client().get(url).content.decode()
    assert "订阅（Atom）" not in html
    link = re.search(r'<a class="feed" href="([^"]+)" aria-describedby="([^"]+)">订阅更新</a>', html)
    assert link, url
    help_line = re.search(rf'<p id="{link.group(2)}">([^<]+)</p>', html)
    assert help_line and "阅读器" in help_line.group(1) and "有新报道" in help_line.group(1)
    assert Client().get(link.group(1).replace("&amp;", "&")).status_code == 200
