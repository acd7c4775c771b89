"""The form field for every amount a person types in the web UI (web and budget screens alike):
read with core.money's one parser, in the spelling of the UI language."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from csgrants.core.money import (
    MAX_DIGITS,
    AmountError,
    format_amount,
    parse_amount,
    style_for_language,
)


class AmountField(forms.CharField):
    """An amount typed the way of the UI language: 9.200,00 in Dutch, 9,200.00 in English.
    `places` decimals at most (2: money), `max_digits` in all, `min_value`/`max_value` bounds."""

    def __init__(
        self, *, min_value=None, max_value=None, places=2, max_digits=MAX_DIGITS, **kwargs
    ):
        self.min_value, self.max_value = min_value, max_value
        self.places, self.max_digits = places, max_digits
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    @staticmethod
    def style() -> str:
        return style_for_language(get_language())

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_amount(value, style=self.style(), places=None)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_amount(
                value,
                style=self.style(),
                places=self.places,
                max_digits=self.max_digits,
                signed=self.min_value is None or self.min_value < 0,
                quantize=False,
            )
        except AmountError as exc:
            raise forms.ValidationError(exc.message, code=exc.code)
        if self.min_value is not None and amount < self.min_value:
            raise forms.ValidationError(
                _("Enter a value of at least %(min)s.")
                % {"min": format_amount(self.min_value, style=self.style(), places=None)},
                code="min_value",
            )
        if self.max_value is not None and amount > self.max_value:
            raise forms.ValidationError(
                _("Enter a value of at most %(max)s.")
                % {"max": format_amount(self.max_value, style=self.style(), places=None)},
                code="max_value",
            )
        return amount


class OneTimeTokenMixin(forms.Form):
    """A hidden one-time token per form shown: the service that receives it stores it unique,
    so the same form sent twice (a double click, a reload) acts once."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
