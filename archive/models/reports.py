"""Reports: the raw document they came from, the article, its sections, captions, bylines and department roles."""

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, ExtractDay, ExtractMonth
from django.db.models.lookups import Exact
from django.urls import reverse

from archive.history import revisions
from archive.models.catalogs import Department, Person, Series, Source
from archive.models.stamps import tracked


class RawDocument(models.Model):
    """A raw text file as it was imported, byte for byte decoded; the sha256 of its bytes
    identifies it, so importing the same file twice finds it again."""

    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("内容哈希", max_length=64, unique=True)
    encoding = models.CharField("编码", max_length=20)
    file = models.FileField(
        "上传的文件", upload_to="raw/%Y/%m/", blank=True, help_text="导入时上传的文件，逐字节保存，仅工作人员可下载"
    )
    class Format(models.TextChoices):
        TXT = "txt", "纯文本"
        DOCX = "docx", "Word 文档"
        DOC = "doc", "Word 97–2003 文档"
        WPS = "wps", "WPS 文字文档"
        RTF = "rtf", "RTF 文档"
        ODT = "odt", "OpenDocument 文本"
        PDF = "pdf", "PDF"
        SCAN = "scan", "扫描版 PDF"
        IMAGE = "image", "扫描图片"
        HTML = "html", "网页"

    format = models.CharField("文件格式", max_length=20, blank=True, choices=Format.choices)
    engine = models.CharField("文字提取方式", max_length=120, blank=True)
    ocr = models.BooleanField("经文字识别（OCR）", default=False)
    text = models.TextField("原文")
    report = models.JSONField("导入报告", default=dict, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    history = tracked("原始文件")

    class Meta:
        verbose_name = "原始文件"
        verbose_name_plural = "原始文件"
        ordering = ["filename"]

    def __str__(self):
        return self.filename


# Explicit casts: when Django validates the constraint in Python it puts the date in as a
# literal, and PostgreSQL cannot EXTRACT from an untyped literal.
_day_is_first = Exact(ExtractDay(Cast("date", models.DateField())), 1)


_month_is_first = Exact(ExtractMonth(Cast("date", models.DateField())), 1)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see (published_q: the same condition through a relation)."""
        return self.filter(published_q())

    def in_year(self, year: int):
        return self.filter(date__year=year)

    def newest_first(self):
        return self.order_by(models.F("date").desc(nulls_last=True), "-id")

    def delete(self):
        # The article and everything deleted with it (sections, bylines…) are one revision, so
        # the version before the deletion still holds them all.
        with revisions.revision(reason="删除报道"):
            return super().delete()


class Article(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "新闻报道"
        FEATURE = "feature", "通讯"
        RESEARCH = "research", "调研报告"
        REPLY = "reply", "建议答复"
        EDITOR_NOTE = "editor_note", "编者按"
        COMMENTARY = "commentary", "评论"
        INTERVIEW = "interview", "访谈"
        DOCUMENT = "document", "政府文件"
        OTHER = "other", "其他"

    class DatePrecision(models.TextChoices):
        DAY = "day", "日"
        MONTH = "month", "月"
        YEAR = "year", "年"
        UNKNOWN = "unknown", "未知"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    title = models.CharField("标题", max_length=300)
    subtitle = models.CharField("副标题", max_length=300, blank=True)
    kind = models.CharField("体裁", max_length=20, choices=Kind.choices)
    source = models.ForeignKey(
        Source, verbose_name="出处", null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    series = models.ForeignKey(
        Series, verbose_name="专栏/系列", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    series_order = models.PositiveIntegerField("系列内序号", null=True, blank=True)
    date = models.DateField("发表日期", null=True, blank=True, help_text="精度为月时取当月1日，为年时取1月1日")
    date_precision = models.CharField("日期精度", max_length=10, choices=DatePrecision.choices)
    date_inferred = models.BooleanField(
        "日期系推定",
        default=False,
        help_text="原件未印日期、由正文或所在网页推定时勾选；页面上写作“[2026年]”，推定的依据写在编校说明里",
    )
    doc_number = models.CharField("文号", max_length=80, blank=True)
    page = models.CharField("版次", max_length=20, blank=True, help_text="报纸的版面，如“第2版”")
    authors = models.ManyToManyField(Person, verbose_name="作者", through="Authorship", related_name="articles")
    departments = models.ManyToManyField(
        Department, verbose_name="相关单位", through="ArticleDepartment", related_name="articles"
    )
    original_text = models.TextField("原文（逐字保存）", blank=True)
    editorial_note = models.TextField("编校说明", blank=True)
    raw_document = models.ForeignKey(
        RawDocument, verbose_name="原始文件", null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    fingerprint = models.CharField(
        "正文指纹", max_length=64, blank=True, db_index=True, editable=False, help_text="去掉空白和标点后正文的哈希，用来发现重复导入"
    )
    signature = models.BinaryField("相似度签名", null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="可能重复于", null=True, blank=True, on_delete=models.SET_NULL, related_name="possible_duplicates"
    )
    duplicate_similarity = models.FloatField("相似度", null=True, blank=True)
    slug = models.SlugField("网址名", max_length=100, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField(
        "版本", default=1, editable=False, help_text="每次保存加一；两位编辑同时修改时，后保存者会被告知冲突"
    )

    objects = ArticleQuerySet.as_manager()
    history = tracked("报道/文献", excluded_fields=["fingerprint", "signature"])

    class Meta:
        verbose_name = "报道/文献"
        verbose_name_plural = "报道/文献"
        ordering = [models.F("date").desc(nulls_last=True), "-id"]
        permissions = [("publish_article", "可以发布或撤下报道")]
        constraints = [
            models.CheckConstraint(
                name="article_date_matches_precision",
                condition=(
                    Q(date_precision="unknown", date__isnull=True)
                    | Q(date_precision="day", date__isnull=False)
                    | (Q(date_precision="month") & _day_is_first)
                    | (Q(date_precision="year") & _day_is_first & _month_is_first)
                ),
                violation_error_message="日期与精度不符：精度为月时日期须为当月1日，为年时须为1月1日，未知时不填日期。",
            ),
            models.CheckConstraint(
                name="article_inferred_date_is_a_date",
                condition=Q(date_inferred=False) | Q(date__isnull=False),
                violation_error_message="没有日期时不能勾选“日期系推定”：请填上推定的日期，或取消勾选。",
            ),
        ]
        indexes = [models.Index(fields=["status", "date"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("archive:article", kwargs={"slug": self.slug})

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def display_date(self) -> str:
        """The date as precisely as it is known: 2024年, 2024年11月, 2024年11月5日; [2024年] when
        it was inferred rather than printed."""
        return format_date(self.date, self.date_precision, inferred=self.date_inferred)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def delete(self, *args, **kwargs):
        with revisions.revision(reason="删除报道"):
            return super().delete(*args, **kwargs)


def format_date(
    date: datetime.date | None, precision: str, *, iso: bool = False, unknown: str = "日期不详", inferred: bool = False
) -> str:
    """A date shown only as precisely as it is known, the one rule for every place a report's
    date is written: 2024年, 2024年11月, 2024年11月5日 for readers (pages, the search API), or
    with iso=True 2024, 2024-11, 2024-11-05 (exports, citations). `unknown` stands for a date that
    is missing or of unknown precision. inferred=True puts a date that the text does not print
    (Article.date_inferred) in square brackets, as cataloguers do: [2026年], or [2026]."""
    if date is None or precision == Article.DatePrecision.UNKNOWN:
        return unknown
    if precision == Article.DatePrecision.YEAR:
        text = f"{date.year}" if iso else f"{date.year}年"
    elif precision == Article.DatePrecision.MONTH:
        text = f"{date.year}-{date.month:02d}" if iso else f"{date.year}年{date.month}月"
    else:
        text = date.isoformat() if iso else f"{date.year}年{date.month}月{date.day}日"
    return f"[{text}]" if inferred else text


def parse_partial_date(text: str) -> tuple[datetime.date | None, str]:
    """'2024-11-05' → (date, 'day'); '2024-11' → (2024-11-01, 'month'); '2024' → (…, 'year');
    '' → (None, 'unknown'). Raises ValueError on anything else."""
    text = (text or "").strip()
    if not text:
        return None, Article.DatePrecision.UNKNOWN
    parts = text.split("-")
    if len(parts) > 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"不是日期：{text!r}（应为 YYYY、YYYY-MM 或 YYYY-MM-DD）")
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    precision = {1: Article.DatePrecision.YEAR, 2: Article.DatePrecision.MONTH, 3: Article.DatePrecision.DAY}[len(parts)]
    return datetime.date(*numbers), precision


class Authorship(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", "作者"
        REPORTER = "reporter", "记者"
        CORRESPONDENT = "correspondent", "通讯员"
        PHOTOGRAPHER = "photographer", "摄影"

    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="authorships")
    person = models.ForeignKey(Person, verbose_name="署名人", on_delete=models.PROTECT, related_name="authorships")
    order = models.PositiveSmallIntegerField("署名顺序", default=0)
    role = models.CharField("身份", max_length=20, choices=Role.choices, default=Role.AUTHOR)
    position = models.CharField("署名时职务", max_length=120, blank=True)

    history = tracked("署名")

    class Meta:
        verbose_name = "署名"
        verbose_name_plural = "署名"
        ordering = ["article", "order"]
        constraints = [models.UniqueConstraint(fields=["article", "person"], name="authorship_unique_person")]

    def __str__(self):
        return f"{self.person} · {self.article}"


class ArticleDepartment(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", "作者/发文单位"
        SUBJECT = "subject", "报道对象"

    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="department_roles")
    department = models.ForeignKey(
        Department, verbose_name="单位", on_delete=models.PROTECT, related_name="article_roles"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    history = tracked("相关单位")

    class Meta:
        verbose_name = "相关单位"
        verbose_name_plural = "相关单位"
        constraints = [
            models.UniqueConstraint(fields=["article", "department", "role"], name="article_department_unique_role")
        ]

    def __str__(self):
        return f"{self.department}（{self.get_role_display()}）"


class Section(models.Model):
    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField("顺序")
    heading = models.CharField("小标题", max_length=300, blank=True, help_text="导语留空")
    body = models.TextField("正文", blank=True, help_text="一段一行；只有小标题的上级标题可以留空")
    anchor = models.SlugField("锚点", max_length=20, help_text="创建后不再改变，链接指向它")

    history = tracked("段落/小节")

    class Meta:
        verbose_name = "段落/小节"
        verbose_name_plural = "段落/小节"
        ordering = ["article", "order"]
        constraints = [
            models.UniqueConstraint(fields=["article", "order"], name="section_unique_order"),
            models.UniqueConstraint(fields=["article", "anchor"], name="section_unique_anchor"),
            models.CheckConstraint(condition=~Q(heading="", body=""), name="section_not_empty"),
        ]
        indexes = [
            # Covering: joins from mentions to their articles read this index, not the section rows
            # with their long bodies (an initiative page at 100,000 sections: 4× faster).
            models.Index(fields=["id", "article"], name="section_article_cover"),
        ]

    def __str__(self):
        return self.heading or f"{self.article.title}（导语）"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = next_anchor(self.article_id)
        super().save(*args, **kwargs)


def next_anchor(article_id) -> str:
    """A new anchor that no section of the article has used: s1, s2, … in creation order, so an
    anchor survives reordering and heading edits."""
    used = set(Section.objects.filter(article_id=article_id).values_list("anchor", flat=True))
    n = len(used) + 1
    while f"s{n}" in used:
        n += 1
    return f"s{n}"


class Caption(models.Model):
    article = models.ForeignKey(Article, verbose_name="报道", on_delete=models.CASCADE, related_name="captions")
    order = models.PositiveIntegerField("顺序", default=0)
    text = models.TextField("图片说明")

    history = tracked("图片说明")

    class Meta:
        verbose_name = "图片说明"
        verbose_name_plural = "图片说明"
        ordering = ["article", "order"]

    def __str__(self):
        return self.text[:40]


def published_q(path: str = "") -> Q:
    """The condition "the article is published", for a query that reaches the article through
    `path` (a relation path: "article" from a section, "section__article" from a mention,
    "articles" from a department or person; "" on articles themselves). Readers see only what it
    admits, so every read of the archive spells it through here:
    Section.objects.filter(published_q("article")), Count("articles", filter=published_q("articles"))."""
    return Q(**{f"{path}__status" if path else "status": Article.Status.PUBLISHED})
