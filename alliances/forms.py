import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import JointMeeting, MeetingAttendance, MeetingProblem, MemberUnit, Project, Resource
from alliances.photos import MAX_PHOTOS, normalise_photo
from grids.models import Grid
from portal.forms import DateInput, PlainTextAreaField, PlainTextField

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month typed or picked as 2026-03; cleans to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        match = _MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError(_("月份请写成 2026-03 的样子。"))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class ResourceForm(forms.ModelForm):
    description = PlainTextAreaField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Resource
        fields = (
            "kind",
            "title",
            "quantity",
            "quantity_unit",
            "community",
            "available_from",
            "available_until",
            "description",
        )
        widgets = {
            "available_from": DateInput(),
            "available_until": DateInput(),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # Communities of the unit's own street; a tampered id elsewhere fails here.
        street = unit.grid.get_root()
        self.fields["community"].queryset = Grid.objects.filter(
            parent=street, kind=Grid.Kind.COMMUNITY
        ).order_by("code")
        self.fields["community"].empty_label = _("全街道")
        self.fields["community"].error_messages["invalid_choice"] = _("请选择本街道的社区。")
        self.fields["title"].widget.attrs["placeholder"] = _("例如 会议室、法律咨询、助学资金")

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("available_from"), cleaned.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("截止日期不能早于起始日期。"))
        return cleaned

    def _post_clean(self):
        # The unit is set by the service; skip the model's uniqueness check
        # against a row without a unit, and let the service validate it.
        pass


class ChairGenerateForm(forms.Form):
    start = MonthField(label=_("从哪个月开始"))
    months = forms.IntegerField(label=_("安排几个月"), min_value=1, max_value=36, initial=12)


class ChairSwapForm(forms.Form):
    first_month = forms.TypedChoiceField(label=_("月份一"), coerce=datetime.date.fromisoformat)
    second_month = forms.TypedChoiceField(label=_("月份二"), coerce=datetime.date.fromisoformat)
    reason = PlainTextField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(t.month.isoformat(), f"{t.month:%Y-%m} · {t.unit.name}") for t in terms]
        for name in ("first_month", "second_month"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _("请从轮值表中选择月份。")
        if len(choices) > 1:
            self.fields["second_month"].initial = choices[1][0]


class MatchForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("资源"),
        queryset=Resource.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("该资源不在建议之列，或已不存在。")},
    )
    title = PlainTextField(label=_("项目名称"), max_length=100, required=False)
    start_on = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end_on = forms.DateField(label=_("计划结束日期"), required=False, widget=DateInput())
    budget = forms.DecimalField(
        label=_("预算（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("结束日期不能早于开始日期。"))
        return cleaned


class ReasonForm(forms.Form):
    reason = PlainTextField(label=_("原因"), max_length=200)


class OfferForm(forms.Form):
    """A liaison offers one of their units (and optionally one of its resources) for a need."""

    unit = forms.ModelChoiceField(
        label=_("认领单位"),
        queryset=MemberUnit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("只能以本单位的名义认领需求。")},
    )
    resource = forms.ModelChoiceField(
        label=_("拟用资源"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("（不指定）"),
        error_messages={"invalid_choice": _("只能选择本单位的有效资源。")},
    )
    note = PlainTextAreaField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("怎样帮助完成这个需求：人员、时间、方式。"),
    )

    def __init__(self, *args, units, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["resource"].queryset = resources

    def clean(self):
        cleaned = super().clean()
        unit, resource = cleaned.get("unit"), cleaned.get("resource")
        if unit and resource and resource.unit_id != unit.pk:
            self.add_error("resource", _("只能选择本单位的有效资源。"))
        return cleaned


class OfferConfirmForm(forms.Form):
    title = PlainTextField(label=_("项目名称"), max_length=100, required=False)
    start_on = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end_on = forms.DateField(label=_("计划结束日期"), required=False, widget=DateInput())
    budget = forms.DecimalField(
        label=_("预算（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("结束日期不能早于开始日期。"))
        return cleaned


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in items]


class ProjectUpdateForm(forms.Form):
    text = PlainTextAreaField(
        label=_("进展情况"),
        max_length=2000,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("做了什么、服务了多少人、下一步安排……")}),
    )
    progress_percent = forms.IntegerField(
        label=_("当前进度（%）"),
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "0-100"}),
    )
    photos = MultiplePhotoField(
        label=_("照片（可选，最多 4 张）"),
        required=False,
        help_text=_("JPG、PNG 或 WebP，每张不超过 8 MB；位置等拍摄信息会被去掉。"),
    )

    def __init__(self, *args, can_set_progress=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_set_progress:
            del self.fields["progress_percent"]

    def clean_photos(self):
        uploads = self.cleaned_data.get("photos") or []
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("每次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
        processed, errors = [], []
        for upload in uploads:
            try:
                processed.append(normalise_photo(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return processed


class ProjectStatusForm(forms.Form):
    """The next steps a project may take from where it is now."""

    STEPS = {
        Project.Status.PLANNED: [
            (Project.Status.IN_PROGRESS, _("开始实施")),
            (Project.Status.CANCELLED, _("取消项目")),
        ],
        Project.Status.IN_PROGRESS: [
            (Project.Status.COMPLETED, _("验收完成")),
            (Project.Status.CANCELLED, _("取消项目")),
        ],
    }

    to_status = forms.ChoiceField(
        label=_("改为"),
        error_messages={"invalid_choice": _("项目当前的状态不能这样改。")},
    )
    note = PlainTextField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = self.STEPS.get(current, [])


class MeetingForm(forms.ModelForm):
    agenda = PlainTextAreaField(label=_("议程"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    class Meta:
        model = JointMeeting
        fields = ("title", "held_at", "place", "agenda")
        widgets = {
            "held_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("留空则为“某年某月联席会议”。")
        self.fields["held_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def _post_clean(self):
        # Validated by meeting_schedule, which also sets the chair from the schedule.
        pass


class MeetingRecordForm(forms.Form):
    """One status (and attendee) per member unit, and the minutes."""

    minutes = PlainTextAreaField(
        label=_("会议纪要"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for membership in members:
            unit = membership.unit
            self.fields[f"status_{unit.pk}"] = forms.ChoiceField(
                label=unit.name,
                choices=MeetingAttendance.Status.choices,
                initial=MeetingAttendance.Status.PRESENT,
                widget=forms.RadioSelect,
            )
            self.fields[f"attendee_{unit.pk}"] = PlainTextField(
                label=_("参会人"), max_length=100, required=False
            )

    def rows(self):
        for membership in self.members:
            unit = membership.unit
            yield unit, self[f"status_{unit.pk}"], self[f"attendee_{unit.pk}"]

    def attendance(self):
        data = self.cleaned_data
        return {
            m.unit.pk: (data[f"status_{m.unit.pk}"], data.get(f"attendee_{m.unit.pk}") or "")
            for m in self.members
        }


class ProblemForm(forms.ModelForm):
    description = PlainTextAreaField(
        label=_("问题"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = MeetingProblem
        fields = ("description", "raised_by_unit", "owner_unit", "owner_name", "due_on")
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("raised_by_unit", "owner_unit"):
            self.fields[name].queryset = units
            self.fields[name].error_messages["invalid_choice"] = _("请选择该联盟的成员单位。")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("owner_unit") and not (cleaned.get("owner_name") or "").strip():
            raise ValidationError(_("请指定责任单位或责任人。"))
        return cleaned

    def _post_clean(self):
        pass


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("办理状态"),
        choices=[
            (MeetingProblem.Status.IN_PROGRESS, MeetingProblem.Status.IN_PROGRESS.label),
            (MeetingProblem.Status.RESOLVED, MeetingProblem.Status.RESOLVED.label),
        ],
        widget=forms.RadioSelect,
        initial=MeetingProblem.Status.IN_PROGRESS,
    )
    note = PlainTextAreaField(label=_("办理情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


def default_meeting_time():
    now = timezone.localtime()
    return now.replace(hour=14, minute=30, second=0, microsecond=0) + datetime.timedelta(days=7)
