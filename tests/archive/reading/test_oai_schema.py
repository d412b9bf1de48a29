"""Every /oai response validates against the protocol's official XML Schemas (OAI-PMH.xsd, and
oai_dc.xsd with the Dublin Core schema it imports), copied verbatim into tests/schemas/oai (its
README says from where): each verb on the corpus, every page of the lists with a withdrawn and a
deleted report among them, each error code, and any request a harvester might send. The schemas'
import URLs are served from those copies by an lxml resolver; nothing is fetched."""

import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import etree

from archive.models import Article
from tests.archive.reading.test_oai import BAD_REQUESTS, OAI_KEYS

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "oai"
OFFICIAL = {  # the schemaLocation each schema names -> the verbatim copy here
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
}
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI = f"{{{OAI_NS}}}"
OAI_DC = f"{{{OAI_DC_NS}}}"
PREFIX = "oai:reform-archive:article/"


class LocalCopies(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url in OFFICIAL:
            return self.resolve_filename(str(SCHEMAS / OFFICIAL[url]), context)
        return None  # and, with no_network, the import fails: nothing is fetched


def load_schema(imports: dict[str, str]) -> etree.XMLSchema:
    """A schema made of the official ones: a driver that only imports them by their official URLs
    (a response's oai_dc payload sits in a strict ##other wildcard, so both must be known at once)."""
    lines = "".join(f'<xs:import namespace="{ns}" schemaLocation="{url}"/>' for ns, url in imports.items())
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{lines}</xs:schema>'
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalCopies())
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser))


@pytest.fixture(scope="module")
def schemas():
    return {
        "OAI-PMH": load_schema(
            {
                OAI_NS: "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
                OAI_DC_NS: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            }
        ),
        "oai_dc": load_schema({OAI_DC_NS: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"}),
    }


def problems(schema: etree.XMLSchema, doc) -> list[str]:
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


class Validator:
    """Fetches /oai responses and checks each against OAI-PMH.xsd and each payload against oai_dc.xsd."""

    def __init__(self, client, schemas):
        self.client = client
        self.schemas = schemas
        self.responses = 0
        self.payloads = 0

    def get(self, query: str):
        response = self.client.get("/oai?" + query)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
        root = etree.fromstring(response.content)
        assert problems(self.schemas["OAI-PMH"], root) == [], query
        for dc in root.iter(f"{OAI_DC}dc"):
            alone = etree.fromstring(etree.tostring(dc))
            assert problems(self.schemas["oai_dc"], alone) == [], f"{query}: {dc.findtext('{*}title')}"
            self.payloads += 1
        self.responses += 1
        return root

    def harvest(self, verb: str, **args) -> list:
        """Every page of a list, following the resumption tokens; each page validated."""
        pages = [self.get(urlencode({"verb": verb, **args}))]
        while (token := pages[-1].findtext(f"{OAI}{verb}/{OAI}resumptionToken")) is not None and token:
            pages.append(self.get(urlencode({"verb": verb, "resumptionToken": token})))
        return pages


def test_the_official_schemas_load_from_the_copies_and_reject_a_wrong_response(db, client, schemas):
    root = etree.fromstring(client.get("/oai?verb=Identify").content)
    assert problems(schemas["OAI-PMH"], root) == []
    root.find(f"{OAI}Identify/{OAI}granularity").text = "YYYY-MM-DD hh:mm"
    root.find(f"{OAI}responseDate").addnext(etree.Element(f"{OAI}unknown"))
    assert problems(schemas["OAI-PMH"], root)  # the schema has teeth: a made-up element is refused

    record = etree.fromstring(client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").content)
    dc = record.find(f".//{OAI_DC}dc")
    etree.SubElement(dc, "{http://purl.org/dc/elements/1.1/}abstract").text = "不属于简单都柏林核心"
    assert problems(schemas["OAI-PMH"], record)  # the payload is checked strictly, inside the response
    assert problems(schemas["oai_dc"], etree.fromstring(etree.tostring(dc)))


def test_every_verb_and_every_page_validates_against_the_official_schemas(db, client, schemas):
    Article.objects.bulk_create(
        Article(
            slug=f"oai-schema-{i}",
            title=f"校验报道{i}",
            kind=Article.Kind.NEWS,
            date=datetime.date(2023, 5, 1),
            date_precision="month",
            status=Article.Status.PUBLISHED,
        )
        for i in range(110)
    )
    withdrawn, deleted = Article.objects.published().order_by("pk")[:2]
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()  # a withdrawn and a deleted report: deleted records, with no metadata
    deleted_id = f"{PREFIX}{deleted.pk}"
    deleted.delete()
    live = Article.objects.published()
    check = Validator(client, schemas)

    identify = check.get("verb=Identify")
    assert identify.findtext(f"{OAI}Identify/{OAI}deletedRecord") == "persistent"
    one = f"{PREFIX}{live.first().pk}"
    for query in ("verb=ListMetadataFormats", f"verb=ListMetadataFormats&identifier={one}", "verb=ListSets"):
        check.get(query)
    check.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={one}")
    gone = check.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={deleted_id}")
    assert gone.find(f"{OAI}GetRecord/{OAI}record/{OAI}header").get("status") == "deleted"

    pages = check.harvest("ListRecords", metadataPrefix="oai_dc")
    headers = [h for page in pages for h in page.iter(f"{OAI}header")]
    assert len(pages) >= 2 and len(headers) == live.count() + 2
    assert {h.findtext(f"{OAI}identifier") for h in headers if h.get("status") == "deleted"} == {
        f"{PREFIX}{withdrawn.pk}",
        deleted_id,
    }
    assert check.payloads == live.count() + 1  # every live record's Dublin Core, and GetRecord's
    listed = check.harvest("ListIdentifiers", metadataPrefix="oai_dc")
    assert sum(len(p.findall(f"{OAI}ListIdentifiers/{OAI}header")) for p in listed) == len(headers)
    check.harvest("ListRecords", metadataPrefix="oai_dc", set="kind", **{"from": "2000-01-01", "until": "2999-12-31"})
    check.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="year:2023")
    assert check.responses >= 12


@pytest.mark.parametrize("query, code", BAD_REQUESTS)
def test_each_error_response_validates_against_the_official_schema(db, client, schemas, query, code):
    root = Validator(client, schemas).get(query)
    assert [e.get("code") for e in root.findall(f"{OAI}error")] == [code]


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(OAI_KEYS),
            st.one_of(
                st.sampled_from(
                    ["Identify", "ListRecords", "GetRecord", "ListSets", "oai_dc", "2024-01-01", PREFIX + "1"]
                ),
                st.text(max_size=20),
            ),
        ),
        max_size=4,
    )
)
def test_any_request_gets_a_response_the_schema_accepts(client, schemas, pairs):
    Validator(client, schemas).get(urlencode(pairs))
