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
