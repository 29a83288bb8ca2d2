import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Grid
from portal.forms import PlainTextAreaField, PlainTextField, StarRatingField
from portal.photos import normalise_photo
from portal.text import bracketed
from portal.validators import normalise_phone, validate_mobile
from wishes.models import Wish, normalise_code

# Furthest wanted-by date a resident may ask for.
MAX_WANTED_DAYS = 365


class PlainForm(forms.Form):
    """Labels without a trailing colon, like the rest of the phone pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MobileField(forms.CharField):
    """A mainland mobile number; spaces, dashes and a +86 prefix are forgiven."""

    default_validators = [validate_mobile]

    def to_python(self, value):
        return normalise_phone(super().to_python(value) or "")


class WishForm(PlainForm):
    """The resident's public form. Community options are drawn by the template from a cached list."""

    name = PlainTextField(
        label=_("您的姓名"),
        min_length=2,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("只给社区工作人员看，不会公开。"),
        error_messages={
            "required": _("请填写您的姓名。"),
            "min_length": _("姓名至少 2 个字。"),
            "max_length": _("姓名最多 20 个字。"),
        },
    )
    phone = MobileField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        help_text=_("方便社区与您联系，不会公开。"),
        error_messages={"required": _("请填写手机号。")},
    )
    community = forms.IntegerField(
        label=_("所在社区"),
        error_messages={"required": _("请选择您所在的社区。"), "invalid": _("请选择您所在的社区。")},
    )
    grid = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    address = PlainTextField(
        label=_("住址（选填）"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("楼栋-单元-房号，如 3-2-301")}),
        help_text=_("只给社区工作人员核对，不会公开。"),
    )
    category = forms.ChoiceField(
        label=_("类别"),
        choices=Wish.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择心愿的类别。"), "invalid_choice": _("请选择心愿的类别。")},
    )
    contact_consent = forms.BooleanField(
        label=_("同意认领人直接联系我"),
        required=False,
        help_text=_(
            "勾选后，认领您心愿的志愿者或单位可以查看您的手机号，直接给您打电话；不勾选，则由社区网格员帮你们联系。"
        ),
    )
    text = PlainTextAreaField(
        label=_("我的心愿"),
        min_length=5,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如：希望有人每周陪我去一次医院复查。")}),
        error_messages={
            "required": _("请写下您的心愿。"),
            "min_length": _("心愿请至少写 5 个字（现在 %(show_value)d 个字）。"),
            "max_length": _("心愿最多 300 个字（现在 %(show_value)d 个字）。"),
        },
    )
    wanted_by = forms.DateField(
        label=_("希望在哪天之前实现"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请选择希望在哪天之前实现。"),
            "invalid": _("请填写有效的日期，例如 2026-06-30。"),
        },
    )
    # A field people never see: bots that fill every input fill this one too.
    website = forms.CharField(
        required=False,
        label=_("网址"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = None

    def clean_wanted_by(self):
        day = self.cleaned_data["wanted_by"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("希望完成日期应晚于今天。"))
        if day > today + datetime.timedelta(days=MAX_WANTED_DAYS):
            raise forms.ValidationError(_("希望完成日期请定在一年之内。"))
        return day

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("提交没有成功，请刷新页面后重新填写。"))
        return ""

    def clean(self):
        data = super().clean()
        community_pk = data.get("community")
        if community_pk is None:
            return data
        community = Grid.objects.filter(pk=community_pk, kind=Grid.Kind.COMMUNITY).first()
        if community is None:
            self.add_error("community", _("请选择您所在的社区。"))
            return data
        self.place = community
        code = (data.get("grid") or "").strip().upper()
        if code:
            grid = Grid.objects.filter(code=code, kind=Grid.Kind.GRID, parent=community).first()
            # A grid from a QR code that is not in the chosen community was
            # left behind when the resident picked another community.
            if grid is not None:
                self.place = grid
        return data


class FollowForm(PlainForm):
    follow = forms.IntegerField(widget=forms.HiddenInput)


class TrackLookupForm(PlainForm):
    code = forms.CharField(
        label=_("查询码"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "placeholder": "ABCD2345EFGH"}
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if len(code) < 10:
            raise forms.ValidationError(_("查询码是 12 位字母和数字，请核对后再输入。"))
        return code


class PublishForm(PlainForm):
    public_text = PlainTextAreaField(
        label=_("公开内容"),
        min_length=5,
        max_length=300,
        error_messages={
            "required": _("请填写公开内容。"),
            "min_length": _("公开内容至少 5 个字。"),
            "max_length": _("公开内容最多 300 个字。"),
        },
        help_text=_("心愿墙上显示的文字：请去掉姓名、电话、门牌号等个人信息。"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=Wish.Category.choices, error_messages={"invalid_choice": _("请选择类别。")}
    )
    slots = forms.IntegerField(
        label=_("认领名额"),
        min_value=1,
        max_value=Wish.MAX_SLOTS,
        initial=1,
        error_messages={
            "required": _("请填写认领名额。"),
            "invalid": _("认领名额应为 1 到 20 的整数。"),
            "min_value": _("认领名额应为 1 到 20 的整数。"),
            "max_value": _("认领名额应为 1 到 20 的整数。"),
        },
        help_text=_("1 = 一对一；大于 1 = 多对一，最多这么多个志愿者、服务队或单位认领。"),
    )
    priority = forms.TypedChoiceField(
        label=_("优先级"),
        choices=Wish.Priority.choices,
        coerce=int,
        initial=Wish.Priority.NORMAL,
        error_messages={"invalid_choice": _("请选择优先级。")},
    )


class PublishChoicesForm(PublishForm):
    """The publish form with what depends on the wish: which household it is, shared or not."""

    NONE = "none"

    is_shared = forms.BooleanField(
        label=_("共性需求（多户共同的需求）"),
        required=False,
        help_text=_("勾选后，同一网格的居民提交相似心愿时可以选择关注它；个人的心愿请不要勾选。"),
    )
    household = forms.ChoiceField(
        label=_("这是哪一户？"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("请选择匹配的住户，或选“都不是”。")},
    )

    def __init__(self, *args, households=(), best=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.best = best
        self.households = {str(h.pk): h for h in households}
        choices = [
            (key, f"{h.grid.name} · {h.address_label}{bracketed(h.get_category_display())}")
            for key, h in self.households.items()
        ]
        self.fields["household"].choices = [*choices, (self.NONE, _("都不是，或不能确定"))]

    def clean_household(self):
        value = self.cleaned_data["household"]
        if not value:  # not offered (no matches): the unambiguous best, if any
            return self.best
        return None if value == self.NONE else self.households[value]


class ReasonForm(PlainForm):
    reason = PlainTextAreaField(
        label=_("原因（居民会看到）"),
        min_length=2,
        max_length=200,
        error_messages={
            "required": _("请写明原因，居民会看到它。"),
            "min_length": _("原因至少 2 个字。"),
            "max_length": _("原因最多 200 个字。"),
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimForm(PlainForm):
    claimant = forms.ChoiceField(label=_("以谁的名义认领"), widget=forms.RadioSelect)

    def __init__(self, *args, claimants, **kwargs):
        super().__init__(*args, **kwargs)
        from wishes.selectors import claimant_key

        self.claimants = {claimant_key(c): c for c in claimants}
        self.fields["claimant"].choices = [(key, _claimant_label(c)) for key, c in self.claimants.items()]
        if len(self.claimants) == 1:
            self.fields["claimant"].initial = next(iter(self.claimants))
        self.fields["claimant"].error_messages["invalid_choice"] = _("请选择以谁的名义认领。")

    def clean_claimant(self):
        return self.claimants[self.cleaned_data["claimant"]]


def _claimant_label(claimant):
    from alliances.models import MemberUnit
    from volunteers.models import VolunteerTeam

    if isinstance(claimant, VolunteerTeam):
        return _("服务队：%(name)s") % {"name": claimant.name}
    if isinstance(claimant, MemberUnit):
        return _("单位：%(name)s") % {"name": claimant.name}
    return _("我自己（%(name)s）") % {"name": claimant.name}


class FulfilForm(PlainForm):
    note = PlainTextAreaField(
        label=_("完成情况"),
        min_length=2,
        max_length=1000,
        error_messages={
            "required": _("请简单写一下完成情况。"),
            "min_length": _("完成情况至少 2 个字。"),
            "max_length": _("完成情况最多 1000 个字。"),
        },
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("做了什么、什么时候，居民会看到。")}),
    )
    photo = forms.FileField(
        label=_("照片（选填）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        limit = settings.WISH_PHOTO_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("照片太大了（最大 %(mb)s MB），请换一张或压缩后再传。") % {"mb": settings.WISH_PHOTO_MAX_MB}
            )
        content, _width, _height = normalise_photo(upload, max_bytes=limit)
        return content


class NotDoneForm(PlainForm):
    reason = PlainTextAreaField(
        label=_("还差什么，或有什么问题？"),
        min_length=2,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：约好的时间没有人来。")}),
        error_messages={
            "required": _("请简单写一下还差什么或有什么问题。"),
            "min_length": _("请至少写 2 个字。"),
            "max_length": _("最多 200 个字。"),
        },
    )


class RecoveryPhoneForm(PlainForm):
    phone = MobileField(
        label=_("提交心愿时填写的手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={"required": _("请填写手机号。")},
    )


class RecoveryCodeForm(PlainForm):
    otp = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": _("请填写短信里的 6 位验证码。"), "invalid": _("验证码是 6 位数字。")},
    )


class ConfirmForm(PlainForm):
    rating = StarRatingField()
    comment = PlainTextAreaField(
        label=_("说几句（选填）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("评价最多 300 个字。")},
    )
