"""OAI-PMH 2.0 at /oai, harvested by a real harvester (sickle) from the live test server: the
whole archive in pages of 100, by set, incrementally after an edit, withdrawn and deleted
reports as deleted records; and the protocol's error codes for bad requests, never a 500."""

import datetime
import re
import time
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sickle import Sickle
from sickle.oaiexceptions import BadArgument, IdDoesNotExist, NoRecordsMatch

from archive.models import Article, ArticleDepartment, Authorship, Department, Person

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
PREFIX = "oai:reform-archive:article/"


def oai_id(article) -> str:
    return f"{PREFIX}{article.pk}"


@pytest.fixture
def harvest_server(live_server, django_db_blocker):
    """The live server with the corpus and its index (a transactional test starts empty)."""
    from archive.ingest.corpus import load_all
    from search.indexing import rebuild

    with django_db_blocker.unblock():
        if not Article.objects.exists():
            load_all(settings.FIXTURES_DIR)
            rebuild()
    return live_server


def utc_now_second() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_second():
    """Datestamps are whole seconds: wait until the next one so before and after differ."""
    time.sleep(1.1)


def add_reports(n: int) -> list[Article]:
    return [
        Article.objects.create(
            slug=f"oai-extra-{i}",
            title=f"补充报道{i}",
            kind=Article.Kind.NEWS,
            date=datetime.date(2023, 5, 1),
            date_precision="month",
            status=Article.Status.PUBLISHED,
        )
        for i in range(n)
    ]


def test_a_harvester_collects_every_published_report_by_set_and_incrementally(harvest_server):
    extra = add_reports(110)  # with the corpus, more than one page of 100
    Article.objects.create(
        slug="never-published",
        title="从未发布的草稿",
        kind=Article.Kind.NEWS,
        date_precision="unknown",
        status=Article.Status.DRAFT,
    )
    published = Article.objects.published()
    sickle = Sickle(harvest_server.url + "/oai", max_retries=0)

    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"

    # Everything: sickle follows the resumption tokens.
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    assert len(records) == published.count() > 100
    assert {r.header.identifier for r in records} == {oai_id(a) for a in published}
    assert not any(r.header.deleted for r in records)
    first_page = ET.fromstring(sickle.ListIdentifiers(metadataPrefix="oai_dc").oai_response.raw.encode())
    check_protocol(first_page)
    check_protocol(ET.fromstring(sickle.ListRecords(metadataPrefix="oai_dc").oai_response.raw.encode()))
    token = first_page.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert len(first_page.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 100
    assert token.get("completeListSize") == str(published.count()) and token.get("cursor") == "0"

    # Dublin Core in Chinese, the date at its precision (a month is 2023-05, never 2023-05-01).
    by_id = {r.header.identifier: r.metadata for r in records}
    assert by_id[oai_id(extra[0])]["date"] == ["2023-05"]
    assert by_id[oai_id(extra[0])]["title"] == ["补充报道0"]
    year_only = published.filter(date_precision="year").first()
    assert by_id[oai_id(year_only)]["date"] == [str(year_only.date.year)]
    signed = published.filter(authorships__role="author").distinct().first()
    assert by_id[oai_id(signed)]["creator"] == [
        a.person.name for a in signed.authorships.order_by("order") if a.role != "photographer"
    ]
    assert by_id[oai_id(signed)]["language"] == ["zh"]

    # By set: a department's reports, a kind's, a year's, and a parent set holding its children.
    sasac = Department.objects.get(slug="zhuzhou-sasac")
    harvested = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="department:zhuzhou-sasac")}
    assert harvested == {oai_id(a) for a in published.filter(departments=sasac).distinct()}
    research = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="kind:research")}
    assert research == {oai_id(a) for a in published.filter(kind="research")} and research
    in_2023 = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="year:2023")}
    assert {oai_id(a) for a in extra} <= in_2023
    departments = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="department")}
    assert departments == {oai_id(a) for a in published.filter(department_roles__isnull=False).distinct()}
    specs = {s.setSpec for s in sickle.ListSets()}
    assert {
        "department",
        "initiative",
        "kind",
        "year",
        "department:zhuzhou-sasac",
        "kind:research",
        "year:2023",
    } <= specs

    # Incrementally: after an edit, a harvest from then brings that report alone; until before it, not it.
    next_second()
    before_edit = utc_now_second()
    next_second()
    edited = published.get(slug=year_only.slug)
    section = edited.sections.order_by("order").first()
    section.body += "\n补记一段。"
    section.save()  # an edit of the text alone: the record's datestamp follows it
    changed = list(sickle.ListRecords(**{"metadataPrefix": "oai_dc", "from": before_edit}))
    assert [r.header.identifier for r in changed] == [oai_id(edited)]
    assert changed[0].header.datestamp > before_edit
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", until="2000-01-01"))
    earlier = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", until=before_edit)}
    assert oai_id(edited) not in earlier and len(earlier) == published.count() - 1

    # Withdrawn and deleted reports stay as deleted records, with the time they went.
    next_second()
    before_removal = utc_now_second()
    next_second()
    withdrawn, deleted = extra[1], extra[2]
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    deleted_id = oai_id(deleted)
    deleted.delete()
    gone = list(sickle.ListIdentifiers(**{"metadataPrefix": "oai_dc", "from": before_removal}))
    assert {h.identifier: h.deleted for h in gone} == {oai_id(withdrawn): True, deleted_id: True}
    assert all("kind:news" in h.setSpecs and "year:2023" in h.setSpecs for h in gone)
    record = sickle.GetRecord(identifier=deleted_id, metadataPrefix="oai_dc")
    assert record.header.deleted and not hasattr(record, "metadata")  # a deleted record has a header only
    everything = list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))
    assert sum(not h.deleted for h in everything) == Article.objects.published().count()
    assert sum(h.deleted for h in everything) == 2
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(
            identifier=f"{PREFIX}{Article.objects.get(slug='never-published').pk}", metadataPrefix="oai_dc"
        )
    with pytest.raises(BadArgument):
        sickle.ListRecords(**{"metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-02-01T00:00:00Z"})


# ---------------------------------------------------------------------------------------------
# Errors, through the test client


# The OAI-PMH schema (OAI-PMH.xsd) could not be fetched for the tests to keep; every response is
# parsed and checked against the rules of the protocol's schema that these responses touch.
ERROR_CODES = {
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
}
DC_ELEMENTS = {
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
}
UTC_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


def check_protocol(root):
    """The response's shape by the OAI-PMH 2.0 schema: responseDate, request, then errors or the
    verb's element; datestamps in UTC to the second; setSpecs of the allowed characters; records
    of a header and, unless deleted, oai_dc metadata of the fifteen Dublin Core elements."""
    assert root.tag == f"{OAI}OAI-PMH"
    children = list(root)
    assert [c.tag for c in children[:2]] == [f"{OAI}responseDate", f"{OAI}request"]
    assert UTC_SECOND.fullmatch(children[0].text)
    rest = children[2:]
    if rest and rest[0].tag == f"{OAI}error":
        assert all(c.tag == f"{OAI}error" and c.get("code") in ERROR_CODES and c.text for c in rest)
        return
    assert len(rest) == 1 and rest[0].tag == f"{OAI}{children[1].get('verb')}"
    for stamp in root.iter(f"{OAI}datestamp"):
        assert UTC_SECOND.fullmatch(stamp.text)
    for spec in root.iter(f"{OAI}setSpec"):
        assert SET_SPEC.fullmatch(spec.text)
    for token in root.iter(f"{OAI}resumptionToken"):
        assert token.get("completeListSize").isdigit() and token.get("cursor").isdigit()
    for record in root.iter(f"{OAI}record"):
        parts = list(record)
        assert parts[0].tag == f"{OAI}header"
        if parts[0].get("status") == "deleted":
            assert len(parts) == 1
            continue
        assert [p.tag for p in parts] == [f"{OAI}header", f"{OAI}metadata"]
        (dc,) = list(parts[1])
        assert dc.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
        assert all(e.tag.startswith(DC) and e.tag[len(DC) :] in DC_ELEMENTS and e.text for e in dc)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    check_protocol(root)
    return root


def error_codes(response) -> list[str]:
    return [e.get("code") for e in parse(response).findall(f"{OAI}error")]


# Bad requests and the error code the protocol gives each; tests/archive/reading/test_oai_schema.py
# checks the same responses against the official schema.
BAD_REQUESTS = [
    ("", "badVerb"),
    ("verb=Harvest", "badVerb"),
    ("verb=Identify&verb=Identify", "badVerb"),
    ("verb=Identify&extra=1", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=oai_dc||||100", "badArgument"),
    ("verb=GetRecord&identifier=" + PREFIX + "1", "badArgument"),
    ("verb=ListRecords&resumptionToken=nonsense", "badResumptionToken"),
    ("verb=ListIdentifiers&resumptionToken=oai_dc|2024-99-01|||5", "badResumptionToken"),
    ("verb=ListSets&resumptionToken=anything", "badResumptionToken"),
    ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
    ("verb=GetRecord&identifier=" + PREFIX + "1&metadataPrefix=mods", "cannotDisseminateFormat"),
    ("verb=GetRecord&identifier=" + PREFIX + "999999&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=GetRecord&identifier=oai:elsewhere:1&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=" + PREFIX + "999999", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=department:nowhere", "noRecordsMatch"),
    ("verb=Nonsense", "badVerb"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=not a set", "badArgument"),
    ("verb=ListRecords&metadataPrefix=not%20a%20prefix", "badArgument"),
    ("verb=GetRecord&identifier=not%20a%20uri%20%5E&metadataPrefix=oai_dc", "idDoesNotExist"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("query, code", BAD_REQUESTS)
def test_bad_requests_get_the_protocols_error_code(client, query, code):
    response = client.get("/oai?" + query)
    assert error_codes(response) == [code]
    request = parse(response).find(f"{OAI}request")
    assert request.text == "http://testserver/oai"
    if code in ("badVerb", "badArgument"):  # the request is echoed only when it was understood
        assert request.attrib == {}


@pytest.mark.django_db
def test_a_harvester_may_post_its_arguments(client):
    root = parse(client.post("/oai", {"verb": "ListMetadataFormats"}))
    assert root.find(f"{OAI}ListMetadataFormats/{OAI}metadataFormat/{OAI}metadataPrefix").text == "oai_dc"


@pytest.mark.django_db
def test_a_record_carries_chinese_dublin_core_with_the_issuing_unit_when_nobody_signed(client):
    article = Article.objects.published().filter(authorships__isnull=True, department_roles__role="author").first()
    root = parse(client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id(article)}"))
    dc = root.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata/{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc")
    issuers = [r.department.name for r in article.department_roles.filter(role="author")]
    assert [e.text for e in dc.findall(f"{DC}creator")] == issuers
    assert dc.find(f"{DC}title").text == article.title
    assert dc.find(f"{DC}identifier").text == f"http://testserver{article.get_absolute_url()}"


@pytest.mark.django_db
def test_text_xml_cannot_carry_is_dropped_from_records(client, make_article):
    article = make_article(title="标题\x0b含\x01控制符", sections=(("", "正文\x0c一段\ufffe。"),))
    root = parse(client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id(article)}"))
    dc = root.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata/{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc")
    assert dc.find(f"{DC}title").text == "标题 含控制符"
    assert dc.find(f"{DC}description").text == "正文 一段。"


@pytest.mark.django_db
def test_an_inferred_date_is_said_to_be_inferred(client, make_article):
    article = make_article(date=datetime.date(2026, 1, 1), precision="year", date_inferred=True)
    root = parse(client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id(article)}"))
    record = root.find(f"{OAI}GetRecord/{OAI}record")
    assert [e.text for e in record.iter(f"{DC}date")] == ["2026"]
    assert "日期系推定：[2026]" in [e.text for e in record.iter(f"{DC}description")]


@pytest.mark.django_db
def test_the_datestamp_follows_a_change_to_a_byline(client, make_article):
    article = make_article()
    person = Person.objects.create(name="新作者", slug="xin-zuozhe")
    first = parse(client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id(article)}"))
    stamp = first.find(f"{OAI}GetRecord/{OAI}record/{OAI}header/{OAI}datestamp").text
    time.sleep(1.1)
    Authorship.objects.create(article=article, person=person, role="reporter")
    second = parse(client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id(article)}"))
    record = second.find(f"{OAI}GetRecord/{OAI}record")
    assert record.find(f"{OAI}header/{OAI}datestamp").text > stamp
    assert [e.text for e in record.iter(f"{DC}creator")] == ["新作者"]


OAI_KEYS = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "other"]
VERB_VALUES = ["Identify", "ListRecords", "ListIdentifiers", "GetRecord", "ListSets", "ListMetadataFormats", ""]


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(OAI_KEYS),
            st.one_of(
                st.sampled_from(VERB_VALUES + ["oai_dc", "2024-01-01", PREFIX + "1", "kind:news", "|||"]),
                st.text(max_size=30),
            ),
        ),
        max_size=5,
    )
)
def test_no_request_gets_a_server_error(client, pairs):
    from urllib.parse import urlencode

    response = client.get("/oai?" + urlencode(pairs))
    parse(response)  # always well-formed XML of the protocol's shape, errors included


def test_every_record_of_a_set_harvest_names_the_set(db, client):
    root = parse(client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=department:zhuzhou-sasac"))
    headers = root.findall(f"{OAI}ListIdentifiers/{OAI}header")
    expected = ArticleDepartment.objects.filter(department__slug="zhuzhou-sasac", article__status="published")
    assert len(headers) == expected.values("article").distinct().count() > 0
    assert all("department:zhuzhou-sasac" in [s.text for s in h.findall(f"{OAI}setSpec")] for h in headers)
