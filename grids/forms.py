from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Visit
from grids.selectors import households_visible_to
from portal.forms import PlainTextAreaField


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找住户"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("楼栋-单元-房号，如 3-2-301，或姓名"), "autofocus": True}
        ),
    )


class VisitForm(forms.Form):
    household = forms.ModelChoiceField(
        label=_("住户"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("这户不在您负责的网格内，或已不存在。")},
    )
    method = forms.ChoiceField(label=_("走访方式"), choices=Visit.Method.choices, widget=forms.RadioSelect)
    findings = PlainTextAreaField(
        label=_("走访情况"),
        max_length=2000,
        min_length=2,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("家里情况、需求、问题……")}),
    )
    follow_up_needed = forms.BooleanField(label=_("需要跟进"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A tampered household id outside the worker's grid fails here.
        self.fields["household"].queryset = households_visible_to(user)


class FollowUpForm(forms.Form):
    note = PlainTextAreaField(
        label=_("跟进情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
