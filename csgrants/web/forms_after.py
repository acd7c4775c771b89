"""Forms of the screens after approval: amendments, the final report and its review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csgrants.applications.amendments import amendment_options
from csgrants.applications.models import MATURITY_FIELDS, Amendment, CyFunFunction
from csgrants.catalogue.models import Package
from csgrants.web.forms import money_field, reason_choices

SCORES = [(i, str(i)) for i in range(1, 6)]
ASPECT_LABELS = {
    "documentation_before": _("Documentation before"),
    "implementation_before": _("Implementation before"),
    "documentation_after": _("Documentation after"),
    "implementation_after": _("Implementation after"),
}


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of amendment"), widget=forms.RadioSelect, choices=Amendment.Kind.choices
    )
    package = forms.ChoiceField(label=_("Package"))
    extra_cost_eur = money_field(_("Extra cost (EUR)"))

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what an amendment may ask for: a higher main package, an extension not on the file.
        options = amendment_options(application) if application else []
        # Outside the f-string: xgettext does not see gettext calls inside one.
        extension, main = _("extension"), _("main package")
        self.fields["package"].choices = [
            (p.code, f"{p.label()} ({extension if p.is_extension else main})") for p in options
        ]

    def clean(self):
        cleaned = super().clean()
        kind, code = cleaned.get("kind"), cleaned.get("package")
        if kind and code:
            package = Package.objects.filter(code=code).first()
            if package and package.is_extension != (kind == Amendment.Kind.EXTENSION):
                self.add_error(
                    "package",
                    _(
                        "Choose an extension package for an extension, a main package for an upgrade."
                    ),
                )
        if cleaned.get("extra_cost_eur") is not None and cleaned["extra_cost_eur"] <= 0:
            self.add_error("extra_cost_eur", _("The extra cost must be more than zero."))
        return cleaned


class AmendmentDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approved", _("Approve")), ("rejected", _("Reject"))],
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for rejection"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = reason_choices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "rejected" and not cleaned.get("reasons"):
            self.add_error("reasons", _("Choose at least one reason for a rejection."))
        return cleaned


class FinalReportForm(forms.Form):
    work_delivered = forms.CharField(
        label=_("Work delivered"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    actual_cost_eur = money_field(_("Actual cost (EUR)"))
    made_progress = forms.BooleanField(
        label=_("The enterprise made progress in cybersecurity maturity"), required=False
    )
    keep_investing = forms.BooleanField(
        label=_("The enterprise is convinced to keep investing in cybersecurity"), required=False
    )
    satisfaction_score = forms.TypedChoiceField(
        label=_("Satisfaction of the enterprise (1 = very unsatisfied, 5 = very satisfied)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    testimonial_consent = forms.BooleanField(
        label=_("The enterprise agrees to a testimonial"), required=False
    )
    testimonial = forms.CharField(
        label=_("Testimonial"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for function in CyFunFunction.values:
            for aspect in MATURITY_FIELDS:
                self.fields[f"{function}__{aspect}"] = forms.TypedChoiceField(
                    label=f"{CyFunFunction(function).label}: {ASPECT_LABELS[aspect]}",
                    choices=[("", "—"), *SCORES],
                    coerce=int,
                )

    def maturity_rows(self):
        """(function label, [bound fields in MATURITY_FIELDS order]) for the table."""
        return [
            (CyFunFunction(f).label, [self[f"{f}__{a}"] for a in MATURITY_FIELDS])
            for f in CyFunFunction.values
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("testimonial_consent") and not (cleaned.get("testimonial") or "").strip():
            self.add_error("testimonial", _("Give the testimonial text the enterprise agreed to."))
        return cleaned

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "work_delivered": c["work_delivered"],
            "actual_cost_eur": c["actual_cost_eur"],
            "maturity": {
                f: {a: c[f"{f}__{a}"] for a in MATURITY_FIELDS} for f in CyFunFunction.values
            },
            "made_progress": c["made_progress"],
            "keep_investing": c["keep_investing"],
            "satisfaction_score": c["satisfaction_score"],
            "testimonial_consent": c["testimonial_consent"],
            "testimonial": c["testimonial"],
        }


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the service provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
