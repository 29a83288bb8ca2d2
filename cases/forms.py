"""Forms of the case pages: limits with Chinese messages, photos only through portal.photos, choices only from what was offered."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from portal.forms import PlainTextAreaField, PlainTextField, StarRatingField
from portal.photos import normalise_photo
from wishes.forms import MobileField, PlainForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to Case.MAX_PHOTOS photos, each checked and re-encoded as a JPEG (nothing else is kept)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(_("请至少上传一张照片。"))
            return []
        if len(files) > Case.MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(n)s 张照片。") % {"n": Case.MAX_PHOTOS})
        limit = settings.CASES_PHOTO_MAX_MB * 1024 * 1024
        cleaned = []
        for upload in files:
            content, _width, _height = normalise_photo(upload, max_bytes=limit)
            cleaned.append(content)
        return cleaned


def _description(label):
    return PlainTextAreaField(
        label=label,
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如：3号楼东侧路灯不亮已经一周。")}),
        error_messages={
            "required": _("请写下是什么问题。"),
            "min_length": _("问题描述至少 5 个字（现在 %(show_value)d 个字）。"),
            "max_length": _("问题描述最多 500 个字（现在 %(show_value)d 个字）。"),
        },
    )


def _address():
    return PlainTextField(
        label=_("位置（选填）"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("例如：3号楼东侧、小区北门")}),
        error_messages={"max_length": _("位置最多 100 个字。")},
    )


class CategoryChoiceMixin:
    """The category list of one street: an id not offered (tampered) is refused with a message."""

    def set_categories(self, categories):
        self.categories = {str(c.pk): c for c in categories}
        field = self.fields["category"]
        field.choices = [("", _("请选择"))] + [(key, c.name) for key, c in self.categories.items()]
        field.error_messages["invalid_choice"] = _("请从列表中选择事件类别。")

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]


class ResidentCaseForm(CategoryChoiceMixin, PlainForm):
    category = forms.ChoiceField(label=_("问题类别"), error_messages={"required": _("请选择问题类别。")})
    description = _description(_("遇到了什么问题"))
    address = _address()
    photos = PhotosField(label=_("照片（选填，最多 3 张）"))
    phone = MobileField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        help_text=_("方便回访，不会公开。"),
        error_messages={"required": _("请填写手机号，方便回访。")},
    )
    name = PlainTextField(
        label=_("怎么称呼您（选填）"),
        required=False,
        max_length=20,
        error_messages={"max_length": _("称呼最多 20 个字。")},
    )
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    website = forms.CharField(
        required=False,
        label=_("网址"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_categories(categories)

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("提交没有成功，请刷新页面后重新填写。"))
        return ""

    def location(self):
        lat, lng = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return None
        return lat, lng


class WorkerCaseForm(CategoryChoiceMixin, PlainForm):
    grid = forms.ChoiceField(label=_("网格"), error_messages={"required": _("请选择网格。")})
    category = forms.ChoiceField(label=_("问题类别"), error_messages={"required": _("请选择问题类别。")})
    description = _description(_("发现了什么问题"))
    address = _address()
    photos = PhotosField(label=_("照片（选填，最多 3 张）"))

    def __init__(self, *args, grids=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = {str(g.pk): g for g in grids}
        self.fields["grid"].choices = [(key, f"{g.parent.name} {g.name}") for key, g in self.grids.items()]
        self.fields["grid"].error_messages["invalid_choice"] = _("请选择您负责的网格。")
        if len(self.grids) == 1:
            self.fields["grid"].initial = next(iter(self.grids))
        self.set_categories(categories)

    def clean_grid(self):
        return self.grids[self.cleaned_data["grid"]]


def _reason(label, required_message):
    return PlainTextAreaField(
        label=label,
        min_length=2,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": required_message,
            "min_length": _("至少 2 个字。"),
            "max_length": _("最多 200 个字。"),
        },
    )


class ReasonForm(PlainForm):
    reason = _reason(_("原因"), _("请写明原因。"))


class NoteForm(PlainForm):
    note = PlainTextAreaField(
        label=_("说明（选填）"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("最多 200 个字。")},
    )


class SuperviseForm(PlainForm):
    note = _reason(_("督办意见"), _("请写明督办意见。"))


class ResultForm(PlainForm):
    result = PlainTextAreaField(
        label=_("办理结果"),
        min_length=2,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("做了什么、现在怎么样，居民会看到。")}),
        error_messages={
            "required": _("请写明办理结果。"),
            "min_length": _("办理结果至少 2 个字。"),
            "max_length": _("办理结果最多 1000 个字。"),
        },
    )
    photos = PhotosField(label=_("结果照片（选填，最多 3 张）"))


def _told(responder):
    """A responder's name, and a warning when no login of theirs would be told of the dispatch."""
    if getattr(responder, "liaison_count", 1):
        return responder.name
    return _("%(name)s（没有联络员账号，收不到通知，请先在管理后台添加或电话通知）") % {
        "name": responder.name
    }


class DispatchForm(PlainForm):
    """Responders of the case's street only: an id not offered (tampered) is refused."""

    departments = forms.MultipleChoiceField(
        label=_("职能部门"), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.MultipleChoiceField(
        label=_("驻区单位"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = PlainTextField(
        label=_("派遣要求（选填）"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("最多 200 个字。")},
    )
    reason = PlainTextField(
        label=_("转派原因"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("最多 200 个字。")},
    )

    def __init__(self, *args, departments=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department_map = {str(d.pk): d for d in departments}
        self.unit_map = {str(u.pk): u for u in units}
        self.fields["departments"].choices = [(k, _told(d)) for k, d in self.department_map.items()]
        self.fields["units"].choices = [(k, _told(u)) for k, u in self.unit_map.items()]
        for name in ("departments", "units"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "所选的单位不在本街道的名单中，请重新选择。"
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("departments") and not data.get("units"):
            raise ValidationError(_("请至少选择一个职能部门或驻区单位。"))
        data["department_objects"] = [self.department_map[k] for k in data.get("departments", [])]
        data["unit_objects"] = [self.unit_map[k] for k in data.get("units", [])]
        return data


class MergeForm(PlainForm):
    into = forms.CharField(
        label=_("合并到哪件事（查询码）"),
        max_length=30,
        error_messages={"required": _("请填写要合并到的事件查询码。")},
    )


class RateForm(PlainForm):
    rating = StarRatingField()
    comment = PlainTextAreaField(
        label=_("说几句（选填）"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("评价最多 200 个字。")},
    )


class UnresolvedForm(PlainForm):
    reason = _reason(_("还有什么问题"), _("请简单写一下还有什么问题。"))


class CategoryForm(CategoryChoiceMixin, PlainForm):
    """Picking a category (turning a visit's follow-up or a wish into a case)."""

    category = forms.ChoiceField(label=_("问题类别"), error_messages={"required": _("请选择问题类别。")})

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_categories(categories)
