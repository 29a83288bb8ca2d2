from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _


class PlainTextField(forms.CharField):
    """A text field that keeps no markup: tags are removed before validation."""

    def to_python(self, value):
        value = super().to_python(value)
        return strip_tags(value).strip() if value else value


class PlainTextAreaField(PlainTextField):
    widget = forms.Textarea


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO date it expects."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, in local time."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class StarRatingField(forms.TypedChoiceField):
    """A resident's rating, 5 to 1 stars, as radio buttons."""

    def __init__(self, **kwargs):
        message = _("请选择 1 到 5 星。")
        kwargs.setdefault("label", _("评分"))
        kwargs.setdefault("error_messages", {"required": message, "invalid_choice": message})
        super().__init__(
            choices=[(n, "★" * n) for n in range(5, 0, -1)], coerce=int, widget=forms.RadioSelect, **kwargs
        )
