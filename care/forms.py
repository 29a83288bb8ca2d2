from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Visit


class ContactForm(forms.Form):
    """One tap: the method is the button pressed; a note is optional."""

    method = forms.ChoiceField(
        label=_("联系方式"), choices=Visit.Method.choices, error_messages={"required": _("请选择联系方式。")}
    )
    findings = forms.CharField(
        label=_("情况（可不填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：老人身体不错，想要一次陪同就医")}),
    )
    follow_up_needed = forms.BooleanField(label=_("需要社区跟进"), required=False)


class PostServiceForm(forms.Form):
    """A stint of service on a claimed post: the day, the hours, a sentence."""

    served_on = forms.DateField(
        label=_("服务日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写服务日期。"), "invalid": _("日期请写成 2026-03-01。")},
    )
    hours = forms.DecimalField(
        label=_("时长（小时）"),
        min_value=Decimal("0.5"),
        max_value=Decimal("12"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        error_messages={
            "required": _("请填写服务时长。"),
            "invalid": _("时长请填数字，例如 1.5。"),
            "min_value": _("服务时长应在 0.5 到 12 小时之间。"),
            "max_value": _("服务时长应在 0.5 到 12 小时之间。"),
            "max_decimal_places": _("时长最多保留一位小数，例如 1.5。"),
            "max_digits": _("服务时长应在 0.5 到 12 小时之间。"),
        },
    )
    content = forms.CharField(
        label=_("服务内容"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：陪3号楼王奶奶去社区医院复诊")}),
        error_messages={"required": _("请写一句服务内容。")},
    )
