from django import forms
from django.utils.translation import gettext_lazy as _

from inbox.models import Preference

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class PreferenceForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(label=_("摘要时间"), choices=HOURS, coerce=int)
    quiet_start = forms.TypedChoiceField(label=_("短信免打扰：从"), choices=HOURS, coerce=int)
    quiet_end = forms.TypedChoiceField(label=_("到"), choices=HOURS, coerce=int)

    class Meta:
        model = Preference
        fields = ["email", "sms", "digest", "digest_hour", "todo_email", "quiet_start", "quiet_end"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name in ("digest_hour", "quiet_start", "quiet_end"):
            self.fields[name].error_messages["invalid_choice"] = _("请选择 0 点到 23 点之间的整点。")
