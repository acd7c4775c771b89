"""Forms of the budget screens: parse input into Decimal amounts and dates; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from csgrants.budgets.models import FrameworkAgreement
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.forms import AmountField, OneTimeTokenMixin
from csgrants.core.money import MAX_AMOUNT

AMOUNT = {"min_value": Decimal("0.01"), "max_value": MAX_AMOUNT}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TopUpForm(OneTimeTokenMixin):
    provider = forms.ModelChoiceField(
        label=_("Service provider"), queryset=ServiceProvider.objects.order_by("code")
    )
    amount_eur = AmountField(label=_("Amount (EUR)"), **AMOUNT)
    allocated_on = forms.DateField(label=_("Date"), widget=DateInput())
    agreement = forms.ModelChoiceField(
        label=_("Framework agreement"),
        queryset=FrameworkAgreement.objects.all(),
        required=False,
        help_text=_("The agreement the top-up falls under, if any."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReserveAssignForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Service provider"), queryset=ServiceProvider.objects.order_by("code")
    )
    amount_eur = AmountField(label=_("Amount (EUR)"), **AMOUNT)
    allocated_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AgreementForm(forms.Form):
    """A framework agreement with one optional initial amount per provider (a provider with an
    amount joins the agreement) and an optional reserve for providers still to come."""

    reference = forms.CharField(label=_("Reference"), max_length=60)
    procurement_round = forms.CharField(
        label=_("Procurement round"), max_length=120, required=False
    )
    start_date = forms.DateField(label=_("Start"), widget=DateInput())
    end_date = forms.DateField(label=_("End"), widget=DateInput(), required=False)
    reserve_eur = AmountField(
        label=_("Reserve for new providers (EUR)"),
        required=False,
        help_text=_("Money that belongs to no provider yet; assign it later."),
        **AMOUNT,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = list(
            providers if providers is not None else ServiceProvider.objects.order_by("code")
        )
        for p in self.providers:
            self.fields[f"amount_{p.pk}"] = AmountField(
                label=_("Initial allocation for %(provider)s (EUR)") % {"provider": p.name},
                required=False,
                **AMOUNT,
            )

    def provider_fields(self):
        return [self[f"amount_{p.pk}"] for p in self.providers]

    def initial_allocations(self):
        data = self.cleaned_data
        return [(p, data[f"amount_{p.pk}"]) for p in self.providers if data.get(f"amount_{p.pk}")]

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end lies before the start."))
        return data
