from django import forms
from django.utils.html import strip_tags


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
