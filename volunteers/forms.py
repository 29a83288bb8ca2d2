import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateInput, LocalDateTimeInput, PlainTextAreaField, PlainTextField
from portal.text import aside
from volunteers import exports
from volunteers.models import Activity, ExportMapping, ServiceRecord

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime_field(label, **kwargs):
    return forms.DateTimeField(
        label=label,
        input_formats=_DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        error_messages={"invalid": _("请填写正确的日期和时间。")},
        **kwargs,
    )


class ActivityForm(forms.ModelForm):
    """Publishing or editing an activity, on a phone. Teams and places are limited by the view."""

    title = PlainTextField(label=_("活动名称"), max_length=100)
    place = PlainTextField(label=_("地点"), max_length=120)
    content = PlainTextAreaField(
        label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))
    signup_opens_at = _datetime_field(_("报名开始"), required=False, help_text=_("不填则立即开放"))
    signup_closes_at = _datetime_field(_("报名截止"), required=False, help_text=_("不填则截止到活动开始"))

    class Meta:
        model = Activity
        fields = (
            "title",
            "team",
            "community",
            "place",
            "category",
            "content",
            "starts_at",
            "ends_at",
            "capacity",
            "signup_opens_at",
            "signup_closes_at",
            "members_only",
        )
        error_messages = {
            "team": {"invalid_choice": _("您不能为这支服务队发布活动。")},
            "community": {"invalid_choice": _("所选社区不在您可以发布活动的范围内。")},
        }

    def __init__(self, *args, teams, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["community"].queryset = communities
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": 500, "inputmode": "numeric"})
        self.fields["capacity"].max_value = 500

    def clean(self):
        data = super().clean()
        now = timezone.now()
        starts = data.get("starts_at")
        if starts and not data.get("signup_closes_at"):
            data["signup_closes_at"] = starts
        if not data.get("signup_opens_at"):
            opens = now if self.instance.pk is None else self.instance.signup_opens_at
            data["signup_opens_at"] = min(
                opens, (data.get("signup_closes_at") or now) - datetime.timedelta(minutes=1)
            )
        if self.instance.pk is None and starts and starts < now:
            self.add_error("starts_at", _("开始时间不能早于现在。"))
        return data


class RecordForm(forms.Form):
    hours = forms.DecimalField(
        label=_("时长"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        error_messages={"invalid": _("服务时长请填写数字，例如 2.5。")},
    )
    evaluation = forms.ChoiceField(
        label=_("评价"), choices=[("", "—"), *ServiceRecord.Evaluation.choices], required=False
    )
    note = PlainTextField(label=_("备注"), max_length=200, required=False)


class ManualRecordForm(forms.Form):
    who = PlainTextField(
        label=_("志愿者编号或手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": _("如 ZY00000123 或 13800000000")}),
    )
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    note = PlainTextField(label=_("补录说明"), max_length=200)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("起始日期不能晚于截止日期。"))
        if start and end and (end - start).days > 3660:
            raise ValidationError(_("一次最多导出十年的记录。"))
        return data


DEFAULT_MAPPING = "default"


class ExportForm(PeriodForm):
    mapping = forms.ChoiceField(label=_("导出列"))
    activity = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, mappings, **kwargs):
        super().__init__(*args, **kwargs)
        self.mappings = {str(m.pk): m for m in mappings}
        self.fields["mapping"].choices = [
            (DEFAULT_MAPPING, _("全国志愿服务信息系统（默认）")),
            *[(pk, aside(m.name, m.owner)) for pk, m in self.mappings.items()],
        ]

    def columns(self):
        choice = self.cleaned_data["mapping"]
        if choice == DEFAULT_MAPPING:
            return exports.DEFAULT_COLUMNS
        return self.mappings[choice].columns


class ExportMappingForm(forms.ModelForm):
    columns_text = forms.CharField(
        label=_("列"),
        widget=forms.Textarea(attrs={"rows": 14, "cols": 60}),
        help_text=_("每行一列，写作“表头 = 字段”。可用字段："),
    )

    class Meta:
        model = ExportMapping
        fields = ("name", "owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "columns_text"
        ].help_text = f"{self.fields['columns_text'].help_text}{exports.describe_keys()}"
        self.fields["columns_text"].initial = exports.format_columns(
            self.instance.columns if self.instance.pk else exports.DEFAULT_COLUMNS
        )

    def clean_columns_text(self):
        return exports.parse_columns(self.cleaned_data["columns_text"])

    def save(self, commit=True):
        self.instance.columns = self.cleaned_data["columns_text"]
        return super().save(commit)
