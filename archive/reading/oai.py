"""OAI-PMH 2.0 at /oai: the archive as a harvestable repository
(https://www.openarchives.org/OAI/openarchivesprotocol.html), for library systems and
aggregators.

- Records are the reports readers may see, in simple Dublin Core (oai_dc): title, creators (the
  byline, or the issuing unit when nobody is named: archive.reading.citation.creators), subjects (the
  initiatives named), the opening text, publisher (the source), dc:date at its precision (2024,
  2024-11, 2024-11-05: format_date's rule, the one every export uses), type, language zh.
- A report that was once published and is now withdrawn or deleted stays in the repository as a
  deleted record (deletedRecord=persistent): the history tables (django-simple-history) say it
  was published once and when it last changed.
- A record's datestamp is the last change to the report or to anything printed with it
  (sections, bylines, departments, captions), read from the same history, in UTC to the second.
- Sets: department:<slug>, initiative:<slug>, kind:<kind>, year:<yyyy>, under the four parent
  sets department, initiative, kind and year (a harvest of a parent includes its children).
- Lists come 100 records a page; the resumption token carries the list's arguments and the last
  identifier sent, so a list stays consistent when reports are added while it is harvested.
- Every bad verb or argument is answered with the protocol's error code, never a server error.

Every text written passes through archive.text.xml_safe: XML 1.0 cannot carry some characters
that stored text may hold.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archive.models import (
    Article,
    ArticleDepartment,
    Department,
    Initiative,
    Mention,
    format_date,
    published_q,
)
from archive.reading import citation
from archive.reading.selectors.articles import initiatives_named, with_relations
from archive.reading.selectors.changes import last_changes
from archive.text import xml_safe

PAGE_SIZE = 100
REPOSITORY_NAME = "改革报道档案"
REPOSITORY_ID = "reform-archive"
IDENTIFIER_PREFIX = f"oai:{REPOSITORY_ID}:article/"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DESCRIPTION_CHARS = 500

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

FORMATS = {"oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC)}

# The arguments each verb takes: required, optional; a resumptionToken is exclusive.
VERBS = {
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
}
PARENT_SETS = {"department": "相关单位", "initiative": "改革举措", "kind": "体裁", "year": "年份"}
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")  # the schema's metadataPrefixType
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Header:
    pk: int
    datestamp: datetime.datetime  # UTC, whole seconds
    deleted: bool
    sets: list[str] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return f"{IDENTIFIER_PREFIX}{self.pk}"


# ---------------------------------------------------------------------------------------------
# What the repository holds


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def _spec(prefix: str, slug: str, pk) -> str:
    # A setSpec allows only unreserved URI characters; a slug outside them is named by its key.
    return f"{prefix}:{slug}" if SET_SPEC.fullmatch(slug) else f"{prefix}:id-{pk}"


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set, parents first."""
    sets = list(PARENT_SETS.items())
    sets += [(_spec("department", d.slug, d.pk), d.name) for d in Department.objects.order_by("name")]
    sets += [(_spec("initiative", i.slug, i.pk), i.name) for i in Initiative.objects.order_by("name")]
    sets += [(f"kind:{value}", label) for value, label in Article.Kind.choices]
    years = Article.objects.published().exclude(date=None).dates("date", "year")
    sets += [(f"year:{d.year}", f"{d.year}年") for d in years]
    return sets


def headers() -> list[Header]:
    """Every record of the repository, in identifier order: the published reports and those
    published once (by their history) that are withdrawn or deleted now."""
    published = {row["pk"]: row for row in Article.objects.published().values("pk", "kind", "date", "updated_at")}
    history = Article.history.model.objects
    once = set(history.filter(status=Article.Status.PUBLISHED).values_list("id", flat=True).distinct())
    gone = once - set(published)
    changed = last_changes()

    sets: dict[int, list[str]] = {pk: [f"kind:{row['kind']}"] for pk, row in published.items()}
    for pk, row in published.items():
        if row["date"]:
            sets[pk].append(f"year:{row['date'].year}")
    departments = {d.pk: _spec("department", d.slug, d.pk) for d in Department.objects.only("pk", "slug")}
    for article_id, department_id in (
        ArticleDepartment.objects.filter(published_q("article"))
        .order_by()
        .values_list("article_id", "department_id")
        .distinct()
    ):
        spec = departments[department_id]
        if spec not in sets[article_id]:
            sets[article_id].append(spec)
    initiatives = {i.pk: _spec("initiative", i.slug, i.pk) for i in Initiative.objects.only("pk", "slug")}
    for article_id, initiative_id in (
        Mention.objects.filter(published_q("section__article"))
        .order_by()
        .values_list("section__article_id", "initiative_id")
        .distinct()
    ):
        spec = initiatives[initiative_id]
        if spec not in sets[article_id]:
            sets[article_id].append(spec)

    result = []
    for pk, row in published.items():
        moment = max(filter(None, (changed.get(pk), row["updated_at"])))
        result.append(Header(pk, _utc(moment), False, sorted(sets[pk])))
    result += _withdrawn(gone, changed, departments)
    result.sort(key=lambda h: h.pk)
    return result


def _withdrawn(ids, changed, departments) -> list[Header]:
    """Deleted records, in the sets their last published version was in (kind, year, departments)."""
    if not ids:
        return []
    last_published = {}
    for row in (
        Article.history.model.objects.filter(id__in=ids, status=Article.Status.PUBLISHED)
        .order_by("history_date")
        .values("id", "kind", "date")
    ):
        last_published[row["id"]] = row
    held = {}
    for article_id, department_id in (
        ArticleDepartment.history.model.objects.filter(article_id__in=ids)
        .values_list("article_id", "department_id")
        .distinct()
    ):
        if department_id in departments:
            held.setdefault(article_id, set()).add(departments[department_id])
    result = []
    for pk in ids:
        row = last_published[pk]
        specs = {f"kind:{row['kind']}", *held.get(pk, ())}
        if row["date"]:
            specs.add(f"year:{row['date'].year}")
        result.append(Header(pk, _utc(changed[pk]), True, sorted(specs)))
    return result


def in_set(header: Header, spec: str) -> bool:
    return any(s == spec or s.startswith(spec + ":") for s in header.sets)


# ---------------------------------------------------------------------------------------------
# Arguments


def _single_values(query) -> dict[str, str]:
    args = {}
    for key in query:
        values = query.getlist(key)
        if len(values) > 1:
            raise OAIError("badVerb" if key == "verb" else "badArgument", f"参数 {key} 重复出现。")
        args[key] = values[0]
    return args


def _parse_time(value: str, *, end: bool) -> tuple[datetime.datetime, str]:
    if DAY.fullmatch(value):
        granularity = "day"
        text = value + ("T23:59:59Z" if end else "T00:00:00Z")
    elif SECOND.fullmatch(value):
        granularity, text = "second", value
    else:
        raise OAIError("badArgument", f"日期 {value!r} 的格式不对：应为 YYYY-MM-DD 或 YYYY-MM-DDThh:mm:ssZ。")
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        raise OAIError("badArgument", f"日期 {value!r} 不存在。")
    return moment, granularity


@dataclass
class ListArgs:
    prefix: str
    start: str = ""  # from, as given
    until: str = ""
    set: str = ""
    after: int = 0  # the last identifier sent (a resumption)

    def token(self, last_pk: int) -> str:
        return "|".join([self.prefix, self.start, self.until, self.set, str(last_pk)])

    @classmethod
    def from_token(cls, token: str) -> "ListArgs":
        parts = token.split("|")
        if len(parts) != 5 or not parts[4].isdigit():
            raise OAIError("badResumptionToken", "续传标记无效或已过期。")
        args = cls(prefix=parts[0], start=parts[1], until=parts[2], set=parts[3], after=int(parts[4]))
        try:
            args.check()
        except OAIError:
            raise OAIError("badResumptionToken", "续传标记无效或已过期。")
        return args

    def check(self):
        if self.prefix not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"不提供 {self.prefix!r} 格式的元数据，只有 oai_dc。")
        start = until = None
        if self.start:
            start, start_granularity = _parse_time(self.start, end=False)
        if self.until:
            until, until_granularity = _parse_time(self.until, end=True)
        if start and until:
            if start_granularity != until_granularity:
                raise OAIError("badArgument", "from 与 until 的精度须相同。")
            if start > until:
                raise OAIError("badArgument", "from 晚于 until。")
        if self.set and not SET_SPEC.fullmatch(self.set):
            raise OAIError("badArgument", f"集合名 {self.set!r} 的写法不对。")
        return start, until


def _check_arguments(verb: str, args: dict[str, str]):
    required, optional = VERBS[verb]
    unknown = set(args) - {"verb", *required, *optional}
    if unknown:
        raise OAIError("badArgument", f"{verb} 不接受参数：{'、'.join(sorted(unknown))}。")
    if "resumptionToken" in args:
        if set(args) - {"verb", "resumptionToken"}:
            raise OAIError("badArgument", "resumptionToken 须单独使用。")
        return
    missing = [name for name in required if not args.get(name)]
    if missing:
        raise OAIError("badArgument", f"{verb} 缺少参数：{'、'.join(missing)}。")
    # A prefix no format could have is a wrong argument, not a format this archive lacks (and the
    # request echoed with it would not be valid OAI-PMH).
    if "metadataPrefix" in args and not METADATA_PREFIX.fullmatch(args["metadataPrefix"]):
        raise OAIError("badArgument", f"元数据格式名 {args['metadataPrefix']!r} 的写法不对。")


def _record_pk(identifier: str) -> int:
    if identifier.startswith(IDENTIFIER_PREFIX) and identifier[len(IDENTIFIER_PREFIX) :].isdigit():
        return int(identifier[len(IDENTIFIER_PREFIX) :])
    raise OAIError("idDoesNotExist", f"档案中没有标识为 {identifier!r} 的记录。")


def _find(identifier: str) -> Header:
    pk = _record_pk(identifier)
    for header in headers():
        if header.pk == pk:
            return header
    raise OAIError("idDoesNotExist", f"档案中没有标识为 {identifier!r} 的记录。")


# ---------------------------------------------------------------------------------------------
# Writing


def _sub(parent, tag: str, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: xml_safe(str(v)) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(str(text))
    return element


def _stamp(moment: datetime.datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(parent, header: Header):
    element = _sub(parent, f"{{{OAI}}}header", **({"status": "deleted"} if header.deleted else {}))
    _sub(element, f"{{{OAI}}}identifier", header.identifier)
    _sub(element, f"{{{OAI}}}datestamp", _stamp(header.datestamp))
    for spec in header.sets:
        _sub(element, f"{{{OAI}}}setSpec", spec)


def dc_date(article) -> str:
    """dc:date as precisely as the date is known (2024, 2024-11, 2024-11-05)."""
    return format_date(article.date, article.date_precision, iso=True, unknown="")


def _description(article) -> str:
    for section in article.sections_with_mentions:
        if section.body.strip():
            text = " ".join(section.paragraphs)
            return text[:DESCRIPTION_CHARS] + ("…" if len(text) > DESCRIPTION_CHARS else "")
    return ""


def _dublin_core(parent, article, url: str):
    dc = _sub(parent, f"{{{OAI_DC}}}dc")
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def add(name, value):
        if value:
            _sub(dc, f"{{{DC}}}{name}", value)

    add("title", article.title)
    add("title", article.subtitle)
    for name in citation.creators(article):
        add("creator", name)
    for initiative in initiatives_named(article):
        add("subject", initiative.name)
    add("description", _description(article))
    if article.source:
        add("publisher", article.source.name)
    for role in article.department_roles.all():
        if role.role != ArticleDepartment.Role.AUTHOR:
            add("contributor", role.department.name)
    add("date", dc_date(article))
    if article.date_inferred and article.date:  # the text does not print it: say so, as the page does
        add("description", "日期系推定：" + format_date(article.date, article.date_precision, iso=True, inferred=True))
    add("type", "Text")
    add("type", article.get_kind_display())
    add("format", "text/html")
    add("identifier", url)
    if article.doc_number:
        add("identifier", article.doc_number)
    if article.source:
        add("source", article.source.name + (f"，{article.page}" if article.page else ""))
    add("language", "zh")
    if article.series:
        add("relation", article.series.name)


class Responder:
    def __init__(self, request):
        self.request = request
        self.base_url = request.build_absolute_uri(reverse("archive:oai"))
        self.root = ET.Element(f"{{{OAI}}}OAI-PMH")
        self.root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        _sub(self.root, f"{{{OAI}}}responseDate", _stamp(timezone.now()))

    def respond(self, query) -> HttpResponse:
        request_element = _sub(self.root, f"{{{OAI}}}request", self.base_url)
        args: dict[str, str] = {}
        try:
            args = _single_values(query)
            verb = args.get("verb", "")
            if verb not in VERBS:
                raise OAIError("badVerb", f"不是 OAI-PMH 的请求类型：{verb!r}。" if verb else "缺少 verb 参数。")
            _check_arguments(verb, args)
            body = ET.Element(f"{{{OAI}}}{verb}")
            getattr(self, verb)(body, args)
        except OAIError as error:
            if error.code not in ("badVerb", "badArgument"):  # the request is echoed only when valid
                for key, value in args.items():
                    request_element.set(key, xml_safe(value))
            _sub(self.root, f"{{{OAI}}}error", error.message, code=error.code)
        else:
            for key, value in args.items():
                request_element.set(key, xml_safe(value))
            self.root.append(body)
        xml = ET.tostring(self.root, encoding="unicode", xml_declaration=False)
        return HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + xml, content_type="text/xml; charset=utf-8")

    # The verbs -------------------------------------------------------------------------------

    def Identify(self, body, args):
        _sub(body, f"{{{OAI}}}repositoryName", REPOSITORY_NAME)
        _sub(body, f"{{{OAI}}}baseURL", self.base_url)
        _sub(body, f"{{{OAI}}}protocolVersion", "2.0")
        # Whom a harvester writes to: the site's administrators (ADMINS), else its sender address.
        for _, email in settings.ADMINS or [("", settings.DEFAULT_FROM_EMAIL)]:
            _sub(body, f"{{{OAI}}}adminEmail", email)
        stamps = [h.datestamp for h in headers()]
        _sub(body, f"{{{OAI}}}earliestDatestamp", _stamp(min(stamps) if stamps else timezone.now()))
        _sub(body, f"{{{OAI}}}deletedRecord", "persistent")
        _sub(body, f"{{{OAI}}}granularity", GRANULARITY)

    def ListMetadataFormats(self, body, args):
        if args.get("identifier"):
            _find(args["identifier"])
        for prefix, (schema, namespace) in FORMATS.items():
            element = _sub(body, f"{{{OAI}}}metadataFormat")
            _sub(element, f"{{{OAI}}}metadataPrefix", prefix)
            _sub(element, f"{{{OAI}}}schema", schema)
            _sub(element, f"{{{OAI}}}metadataNamespace", namespace)

    def ListSets(self, body, args):
        if "resumptionToken" in args:  # every set fits in one response: no token was ever given
            raise OAIError("badResumptionToken", "续传标记无效或已过期。")
        for spec, name in all_sets():
            element = _sub(body, f"{{{OAI}}}set")
            _sub(element, f"{{{OAI}}}setSpec", spec)
            _sub(element, f"{{{OAI}}}setName", name)

    def GetRecord(self, body, args):
        if args["metadataPrefix"] not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"不提供 {args['metadataPrefix']!r} 格式的元数据，只有 oai_dc。")
        self._records(body, [_find(args["identifier"])])

    def ListIdentifiers(self, body, args):
        page, token = self._page(args)
        for header in page:
            _header(body, header)
        self._token(body, token)

    def ListRecords(self, body, args):
        page, token = self._page(args)
        self._records(body, page)
        self._token(body, token)

    def _page(self, args):
        if "resumptionToken" in args:
            list_args = ListArgs.from_token(args["resumptionToken"])
        else:
            list_args = ListArgs(
                prefix=args["metadataPrefix"],
                start=args.get("from", ""),
                until=args.get("until", ""),
                set=args.get("set", ""),
            )
        start, until = list_args.check()
        matching = [
            h
            for h in headers()
            if (start is None or h.datestamp >= start)
            and (until is None or h.datestamp <= until)
            and (not list_args.set or in_set(h, list_args.set))
        ]
        if not matching:
            raise OAIError("noRecordsMatch", "没有符合条件的记录。")
        done = [h for h in matching if h.pk <= list_args.after]
        rest = [h for h in matching if h.pk > list_args.after]
        page = rest[:PAGE_SIZE]
        token = None
        if len(rest) > PAGE_SIZE:
            token = (list_args.token(page[-1].pk), len(matching), len(done))
        elif list_args.after:  # the last page of a list sent in parts ends with an empty token
            token = ("", len(matching), len(done))
        return page, token

    def _token(self, body, token):
        if token is not None:
            value, size, cursor = token
            _sub(body, f"{{{OAI}}}resumptionToken", value, completeListSize=size, cursor=cursor)

    def _records(self, body, page: list[Header]):
        live = [h.pk for h in page if not h.deleted]
        articles = with_relations(Article.objects.published().filter(pk__in=live)).in_bulk(live)
        for header in page:
            record = _sub(body, f"{{{OAI}}}record")
            _header(record, header)
            if not header.deleted:
                article = articles[header.pk]
                metadata = _sub(record, f"{{{OAI}}}metadata")
                _dublin_core(metadata, article, self.request.build_absolute_uri(article.get_absolute_url()))


@csrf_exempt  # harvesters may POST their arguments (OAI-PMH 3.1.1.2); nothing is changed
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    return Responder(request).respond(request.POST if request.method == "POST" else request.GET)
