"""Model and form fields shared by the apps."""

from django import forms
from django.db import models

from portal.validators import normalise_phone

# What a person may type around the 11 digits: spaces, dashes, a +86 prefix.
_PHONE_INPUT_LENGTH = 20


class PhoneFormField(forms.CharField):
    """A mobile number as typed: any digits, spaces, dashes or +86; cleaned to 11 ASCII digits."""

    def __init__(self, *, max_length=None, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}))
        super().__init__(max_length=_PHONE_INPUT_LENGTH, **kwargs)

    def to_python(self, value):
        return normalise_phone(super().to_python(value))


class PhoneField(models.CharField):
    """A mobile number stored as ASCII digits, whatever digits it was typed or imported with.

    Full-width (１３８…) and Arabic-Indic digits pass Python's \\d; they are
    folded to ASCII when the value is cleaned and again when it is saved or
    looked up, so every path (forms, imports, services) stores the same text.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_phone(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalise_phone(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})

    def deconstruct(self):
        # The column is a plain CharField's; migrations need not tell them apart.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
