from django import forms
from django.utils.html import strip_tags


class PlainTextField(forms.CharField):
    """A text field that keeps no markup: tags are removed before validation."""

    def to_python(self, value):
        value = super().to_python(value)
        return strip_tags(value).strip() if value else value


class PlainTextAreaField(PlainTextField):
    widget = forms.Textarea
