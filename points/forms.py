from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from points.models import PointsRule
from portal.forms import DateInput, PlainTextField


class PointsRuleForm(forms.ModelForm):
    class Meta:
        model = PointsRule
        fields = ("name", "points", "active_from", "active_until", "description")
        widgets = {"active_from": DateInput(), "active_until": DateInput()}

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points < 0 or points > 1000:
            raise ValidationError(_("分值应在 0 到 1000 之间。"))
        return points

    def clean(self):
        data = super().clean()
        start, end = data.get("active_from"), data.get("active_until")
        if start and end and end < start:
            self.add_error("active_until", _("失效日期不能早于生效日期。"))
        return data


class ReverseForm(forms.Form):
    note = PlainTextField(label=_("冲销原因"), max_length=150, min_length=2)
