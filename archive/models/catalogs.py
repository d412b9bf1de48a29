"""The catalogs reports are filed under: departments, people, sources, series and named reform
initiatives; and the vocabulary a search reads them by (synonym groups)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from archive.models.stamps import tracked
from archive.text import folded


def validate_alias_list(value):
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError("别名必须是非空字符串的列表。")


class Department(models.Model):
    class Kind(models.TextChoices):
        PARTY = "party", "党委部门"
        GOVERNMENT = "government", "政府部门"
        CONGRESS = "congress", "人大/政协"
        ENTERPRISE = "enterprise", "国有企业"
        PARK = "park", "园区"
        COUNTY = "county", "县市区"
        TOWNSHIP = "township", "乡镇街道"
        INSTITUTION = "institution", "事业单位及其他"
        MEDIA = "media", "新闻媒体"

    name = models.CharField("名称", max_length=120, unique=True)
    short_name = models.CharField("简称", max_length=60, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True, validators=[validate_alias_list])
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    region = models.CharField("地区", max_length=40, default="株洲市")
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    summary = models.TextField("简介", blank=True)
    slug = models.SlugField("网址名", max_length=80, unique=True)

    history = tracked("部门/单位")

    class Meta:
        verbose_name = "部门/单位"
        verbose_name_plural = "部门/单位"
        ordering = ["region", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="department_not_own_parent"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("archive:department", kwargs={"slug": self.slug})

    @property
    def names(self) -> list[str]:
        """Every form the department is written in: full name, short name, aliases."""
        return [n for n in dict.fromkeys([self.name, self.short_name, *self.aliases]) if n]

    def clean(self):
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"parent": "上级单位不能形成循环。"})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Person(models.Model):
    name = models.CharField("姓名", max_length=40)
    position = models.CharField("职务", max_length=120, blank=True, help_text="最近一次署名时的职务")
    department = models.ForeignKey(
        Department, verbose_name="所在单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    slug = models.SlugField("网址名", max_length=80, unique=True)

    history = tracked("署名人")

    class Meta:
        # 署名人: everyone who signs a report (author, reporter, correspondent, photographer, the
        # officer answering a proposal); 作者 is kept for the byline of one report.
        verbose_name = "署名人"
        verbose_name_plural = "署名人"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:person", kwargs={"slug": self.slug})


class Source(models.Model):
    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", "报纸"
        GOVERNMENT_DOCUMENT = "government_document", "政府公文"
        REPORT_COMPILATION = "report_compilation", "调研报告汇编"
        WEBSITE = "website", "网站"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=120, unique=True)
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    slug = models.SlugField("网址名", max_length=80, unique=True)

    history = tracked("出处")

    class Meta:
        verbose_name = "出处"
        verbose_name_plural = "出处"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:source", kwargs={"slug": self.slug})


class Series(models.Model):
    name = models.CharField("名称", max_length=120, unique=True)
    source = models.ForeignKey(
        Source, verbose_name="出处", null=True, blank=True, on_delete=models.SET_NULL, related_name="series"
    )
    description = models.TextField("说明", blank=True)
    slug = models.SlugField("网址名", max_length=80, unique=True)

    history = tracked("专栏/系列")

    class Meta:
        verbose_name = "专栏/系列"
        verbose_name_plural = "专栏/系列"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:series", kwargs={"slug": self.slug})


class Initiative(models.Model):
    class Category(models.TextChoices):
        STATE_ENTERPRISE = "state_enterprise", "国资国企"
        PARKS = "parks", "园区"
        GOVERNMENT = "government", "政府职能与营商环境"
        FISCAL = "fiscal", "财税金融"
        LAND = "land", "土地与要素"
        PARTY = "party", "党建与干部人事"
        SOCIAL = "social", "社会民生"
        RURAL = "rural", "农业农村"
        URBAN = "urban", "城市建设与治理"
        INDUSTRY = "industry", "产业与科技创新"
        ECOLOGY = "ecology", "生态文明"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=80, unique=True)
    aliases = models.JSONField(
        "别名", default=list, blank=True, validators=[validate_alias_list], help_text="正文中的其他写法；引号不必写"
    )
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    summary = models.TextField("简介", blank=True)
    lead_departments = models.ManyToManyField(
        Department, verbose_name="牵头单位", blank=True, related_name="led_initiatives"
    )
    slug = models.SlugField("网址名", max_length=80, unique=True)

    history = tracked("改革举措", m2m_fields=[lead_departments])

    class Meta:
        verbose_name = "改革举措"
        verbose_name_plural = "改革举措"
        ordering = ["category", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:initiative", kwargs={"slug": self.slug})

    @property
    def names(self) -> list[str]:
        return [n for n in dict.fromkeys([self.name, *self.aliases]) if n]


def validate_synonym_terms(value):
    validate_alias_list(value)
    if len({folded(term) for term in value}) < 2:
        raise ValidationError("一组同义词至少要有两个不同的写法。")


class Synonym(models.Model):
    """Terms a search treats as one (search.synonyms): an abbreviation and its full name (国企,
    国有企业), an office's short and formal names, a plan's nickname (十四五, 第十四个五年规划).
    Departments' and initiatives' own names and aliases are groups already and are not repeated
    here."""

    terms = models.JSONField(
        "词语", validators=[validate_synonym_terms],
        help_text="同一个意思的各种写法，一行一个；不加引号检索其中任何一个时，其余的也一并检索",
    )
    note = models.TextField("出处说明", blank=True, help_text="每种写法从哪里来：哪篇报道这样写，或读者习惯这样输入")
    slug = models.SlugField("标识", max_length=80, unique=True)

    history = tracked("同义词组")

    class Meta:
        verbose_name = "同义词组"
        verbose_name_plural = "同义词组"
        ordering = ["slug"]

    def __str__(self):
        return "、".join(self.terms)
