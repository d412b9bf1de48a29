"""Forms of the editorial desk: optimistic locking on the article forms, aliases one per line,
sections that can be reordered freely, and the forms of the editorial actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Max

from archive import services
from archive.models import Article, Department, Initiative, Person, Section, Series, Source, Synonym
from archive.slugs import unique_slug
from archive.text import stored_text, unstorable


def storable(value: str, *, multiline: bool) -> str:
    """What an editor typed, as the archive stores it (archive.text.stored_text): control
    characters dropped or made line breaks and spaces; noncharacters refused, with the code of
    each, since nothing on the page shows them."""
    bad = unstorable(value)
    if bad:
        raise ValidationError(
            f"含有无法保存的特殊字符（{'、'.join(bad)}），它们不是文字，可能是从别处复制时带进来的。请删去后再保存。",
            code="unstorable",
        )
    return stored_text(value, multiline=multiline)


class TextField(forms.CharField):
    """Multi-line text with the newlines a browser sends (CRLF) made plain LF, as stored: without
    this, saving a page would rewrite every untouched section and fill the history with noise."""

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        return storable(value.replace("\r\n", "\n").replace("\r", "\n"), multiline=True)


class LineField(forms.CharField):
    """One line of text (a title, a name, a position): control characters become spaces or go."""

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        value = storable(value, multiline=False)
        return value.strip() if self.strip else value


class SlugFromNameMixin:
    """The 网址名 may be left blank: it is made from the name (or title) in pinyin, unique."""

    slug_source = "name"
    slug_length = 60

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "留空则按名称自动生成（拼音）"

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get(self.slug_source):
            cleaned["slug"] = unique_slug(
                self._meta.model, cleaned[self.slug_source], max_length=self.slug_length, exclude_pk=self.instance.pk
            )
        return cleaned


class VersionCheckMixin:
    """A hidden `loaded_version` holds the article's version when the form was opened; clean()
    locks the article and compares, so a second editor's save is refused, not merged over the
    first one's (services.article_lock)."""

    def article_id_for_lock(self):
        raise NotImplementedError

    def check_version(self):
        article_id = self.article_id_for_lock()
        if article_id is None:
            return
        loaded = self.cleaned_data.get("loaded_version")
        if loaded is None:
            raise ValidationError("表单缺少版本号，请重新打开页面再修改。", code="no_version")
        try:
            self.locked_article = services.article_lock(article_id=article_id, expected_version=loaded)
        except services.EditConflict as exc:
            raise ValidationError(str(exc), code="conflict")


class ArticleAdminForm(SlugFromNameMixin, VersionCheckMixin, forms.ModelForm):
    loaded_version = forms.IntegerField(label="打开时的版本号", widget=forms.HiddenInput, required=False)
    slug_source = "title"
    slug_length = 100

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def article_id_for_lock(self):
        return self.instance.pk

    def clean(self):
        cleaned = super().clean()
        self.check_version()
        return cleaned


class SectionAdminForm(VersionCheckMixin, forms.ModelForm):
    loaded_version = forms.IntegerField(label="打开时的版本号", widget=forms.HiddenInput, required=False)

    class Meta:
        model = Section
        fields = ["order", "heading", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "class": "vLargeTextField section-body"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.article.version

    def article_id_for_lock(self):
        return self.instance.article_id if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        self.check_version()
        return cleaned


class SectionInlineForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["order", "heading", "body"]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "section-order", "min": 1, "style": "width:5em"}),
            "heading": forms.TextInput(attrs={"class": "vTextField section-heading", "style": "width:100%"}),
            "body": forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField section-body"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = "留空则排在最后；可用“上移/下移”调整"

    def _get_validation_exclusions(self):
        # Orders are checked across the whole formset (SectionInlineFormSet.clean): checked one
        # form at a time against the database, swapping two sections would always fail.
        exclude = super()._get_validation_exclusions()
        exclude.add("order")
        return exclude


class SectionInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.has_changed() or f.instance.pk]
        kept = [f for f in kept if hasattr(f, "cleaned_data") and not (self.can_delete and self._should_delete_form(f))]
        seen: dict[int, forms.Form] = {}
        for form in kept:
            order = form.cleaned_data.get("order")
            if order is None:
                continue
            if order in seen:
                raise ValidationError(f"两节的顺序都是 {order}：请给每一节不同的顺序号。")
            seen[order] = form
        next_order = max([*seen, 0]) + 1
        for form in kept:
            if form.cleaned_data.get("order") is None and (form.has_changed() or form.instance.pk):
                form.cleaned_data["order"] = next_order
                form.instance.order = next_order
                next_order += 1

    def park_moving_sections(self):
        """Move sections whose order changes, and those being deleted, out of the way of the
        unique (article, order) constraint before the formset saves them one by one."""
        moving = []
        for form in self.initial_forms:
            if not form.instance.pk:
                continue
            if (self.can_delete and self._should_delete_form(form)) or "order" in form.changed_data:
                moving.append(form.instance.pk)
        if moving:
            top = Section.objects.filter(article_id=self.instance.pk).aggregate(m=Max("order"))["m"] or 0
            Section.objects.filter(pk__in=moving).update(order=F("order") + top + 1_000_000)


class AliasesField(forms.CharField):
    """A list of aliases, edited one per line."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value) or ""
        # splitlines() also ends a line at a vertical tab, form feed or NEL: each is a line break here
        lines = (storable(line, multiline=False).strip() for line in value.splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class InitiativeAdminForm(SlugFromNameMixin, forms.ModelForm):
    aliases = AliasesField(label="别名", required=False, help_text="正文中的其他写法，一行一个；引号不必写")

    class Meta:
        model = Initiative
        fields = "__all__"


class DepartmentAdminForm(SlugFromNameMixin, forms.ModelForm):
    aliases = AliasesField(label="别名", required=False, help_text="其他写法，一行一个")

    class Meta:
        model = Department
        fields = "__all__"


class PersonAdminForm(SlugFromNameMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = "__all__"


class SourceAdminForm(SlugFromNameMixin, forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"


class SeriesAdminForm(SlugFromNameMixin, forms.ModelForm):
    class Meta:
        model = Series
        fields = "__all__"


class SynonymAdminForm(forms.ModelForm):
    terms = AliasesField(label="词语", help_text="同一个意思的各种写法，一行一个；引号不必写")

    class Meta:
        model = Synonym
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "留空则按第一个词自动生成（拼音）"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("terms"):
            cleaned["slug"] = unique_slug(Synonym, cleaned["terms"][0], exclude_pk=self.instance.pk)
        return cleaned


class SplitForm(forms.Form):
    at = forms.TypedChoiceField(label="从哪一段开始拆出新的一节", coerce=int, widget=forms.RadioSelect)
    heading = forms.CharField(label="新一节的小标题", max_length=300, required=False)
    loaded_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, section: Section, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].choices = [(n, f"第 {n} 段") for n in range(2, len(section.paragraphs) + 1)]
        self.fields["loaded_version"].initial = section.article.version


class MoveForm(forms.Form):
    to_article = forms.ModelChoiceField(label="移到哪篇报道（排在最后）", queryset=Article.objects.none())
    loaded_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, section: Section, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_article"].queryset = Article.objects.exclude(pk=section.article_id).order_by("title")
        self.fields["to_article"].label_from_instance = lambda a: f"{a.title}（{a.display_date}，{a.get_status_display()}）"
        self.fields["loaded_version"].initial = section.article.version


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe for multiple uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    file = MultipleFileField(
        label="文件",
        help_text="可一次选多个文件，或一个 zip 压缩包：.txt、.docx、.doc、.wps、.rtf、.odt、.pdf（含扫描件）、"
        ".png/.jpg/.tif 扫描图片、.html 网页；每个文件最大 50 MB",
    )
    dry_run = forms.BooleanField(label="只检查，不写入", required=False, help_text="先看导入程序会拆出哪些报道")
    ocr = forms.BooleanField(label="扫描件做文字识别", required=False, initial=True, help_text="每页约需几秒；关掉时扫描件会报错，不会导入")

    def clean_file(self):
        from django.conf import settings

        limit = getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)
        for upload in self.cleaned_data["file"]:
            if upload.size > limit:
                raise ValidationError(f"《{upload.name}》超过 {limit // (1024 * 1024)} MB，请拆分后再导入。")
        return self.cleaned_data["file"]
