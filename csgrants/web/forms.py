"""Forms of the web UI. They parse what people type (amounts the Flemish way, enterprise numbers
with or without dots) and build the inputs of the services; the rules themselves stay in the
services. The declaration on honour is built here into the JSON shape of contracts/api.md and
eligibility.md, and read back from it to edit a draft."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from csgrants.applications.models import Capacity
from csgrants.catalogue.models import EnterpriseKind, Package, ReasonCode
from csgrants.core import enterprise_number
from csgrants.core.forms import AmountField, OneTimeTokenMixin
from csgrants.core.money import MAX_AMOUNT, AmountError, parse_amount
from csgrants.core.postal import is_valid_postal_code

# Every amount typed here is read by core's one parser, in the spelling of the UI language.
FIGURE_PLACES = 6  # annual work units and percentages, as the eligibility contract reads them


def money_field(label, required=True, **kwargs):
    return AmountField(
        label=label, required=required, min_value=Decimal(0), max_value=MAX_AMOUNT, **kwargs
    )


def figure_field(label, required=False, **kwargs):
    """Not money: annual work units, with up to six decimals as the eligibility contract."""
    return AmountField(
        label=label,
        required=required,
        min_value=Decimal(0),
        places=FIGURE_PLACES,
        max_digits=FIGURE_PLACES + 14,
        **kwargs,
    )


def pct_field(label, required=False):
    return AmountField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(100),
        places=FIGURE_PLACES,
        max_digits=FIGURE_PLACES + 3,
    )


def _number(value: Decimal | None):
    """JSON number for headcounts and percentages (not money): int when whole."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- the application itself ----------------------------------------------------------------


class ApplicationForm(OneTimeTokenMixin):
    enterprise_number = forms.CharField(
        label=_("Enterprise number"),
        max_length=20,
        help_text=_("Ten digits, for example 0403.170.701."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    enterprise_name = forms.CharField(label=_("Name of the enterprise"), max_length=320)
    enterprise_kind = forms.ChoiceField(label=_("Kind of enterprise"))
    postal_code = forms.CharField(
        label=_("Postal code of the seat"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    package = forms.ChoiceField(label=_("Package"), widget=forms.RadioSelect)
    extensions = forms.MultipleChoiceField(
        label=_("Extension packages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    cost_eur = money_field(
        _("Quoted cost (EUR, excl. VAT)"),
        help_text=_("Filled in from your tariff; change it if your quote differs."),
    )
    negative_equity = forms.BooleanField(
        label=_("The enterprise has negative equity"), required=False
    )
    public_participation_pct = pct_field(_("Share held by public bodies (%)"))
    signatory_name = forms.CharField(
        label=_("Name of the signatory"), max_length=200, required=False
    )
    signatory_email = forms.EmailField(
        label=_("E-mail of the signatory"), max_length=254, required=False
    )
    signatory_capacity = forms.ChoiceField(
        label=_("Capacity"), choices=[("", "---------"), *Capacity.choices], required=False
    )
    signatory_language = forms.ChoiceField(
        label=_("Language of the mail"),
        choices=[("nl", "Nederlands"), ("en", "English")],
        required=False,
        initial="nl",
    )

    def __init__(self, *args, lock_enterprise=False, **kwargs):
        super().__init__(*args, **kwargs)
        lang = (get_language() or "nl")[:2]
        packages = list(Package.objects.filter(active=True))
        self.fields["package"].choices = [
            (p.code, getattr(p, f"name_{lang}", None) or p.name_nl)
            for p in packages
            if not p.is_extension
        ]
        self.fields["extensions"].choices = [
            (p.code, getattr(p, f"name_{lang}", None) or p.name_nl)
            for p in packages
            if p.is_extension
        ]
        self.fields["enterprise_kind"].choices = [
            (k.code, getattr(k, f"name_{lang}", None) or k.name_nl)
            for k in EnterpriseKind.objects.all()
        ]
        self.fields["public_participation_pct"].initial = Decimal(0)
        if lock_enterprise:
            # The number identifies the file; a correction of the number is a new application.
            self.fields["enterprise_number"].disabled = True
            self.fields["enterprise_number"].help_text = ""

    def clean_enterprise_number(self):
        value = self.cleaned_data["enterprise_number"]
        try:
            return enterprise_number.normalize(value)
        except enterprise_number.InvalidEnterpriseNumber:
            raise forms.ValidationError(
                _("This is not a valid enterprise number: check the ten digits (0xxx.xxx.xxx)."),
                code="invalid",
            )

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].strip()
        if not is_valid_postal_code(value):
            raise forms.ValidationError(
                _("Enter a Belgian postal code of four digits."), code="invalid"
            )
        return value


class _OptionalRowForm(forms.Form):
    """A row of a formset that may be left empty: every field is optional, and a row that is
    partly filled must be complete."""

    required_when_used: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return all(v in (None, "", [], False) for k, v in data.items() if k != "DELETE")

    def clean(self):
        cleaned = super().clean()
        if self.is_blank():
            return cleaned
        for name in self.required_when_used:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return cleaned


class PeriodForm(_OptionalRowForm):
    year_end = forms.DateField(
        label=_("End of the accounting year"), required=False, widget=_date_widget()
    )
    staff_awu = figure_field(_("Staff (annual work units)"))
    turnover_eur = money_field(_("Turnover (EUR)"), required=False)
    balance_sheet_eur = money_field(_("Balance sheet total (EUR)"), required=False)
    required_when_used = ("year_end", "staff_awu", "turnover_eur", "balance_sheet_eur")

    def as_json(self) -> dict:
        d = self.cleaned_data
        return {
            "year_end": d["year_end"].isoformat(),
            "staff_awu": _number(d["staff_awu"]),
            "turnover_eur": _money(d["turnover_eur"]),
            "balance_sheet_eur": _money(d["balance_sheet_eur"]),
        }


DIRECTIONS = [
    ("upstream", _("holds shares in the enterprise")),
    ("downstream", _("the enterprise holds shares in it")),
]
INVESTOR_CATEGORIES = [
    ("", _("none")),
    ("public_investment_corporation", _("public investment corporation")),
    ("venture_capital", _("venture capital company")),
    ("business_angel", _("business angel")),
    ("university", _("university")),
    ("research_centre", _("non-profit research centre")),
    ("institutional_investor", _("institutional investor")),
    ("regional_development_fund", _("regional development fund")),
    ("small_local_authority", _("small autonomous local authority")),
    ("public_body", _("public body")),
]


class RelationForm(_OptionalRowForm):
    name = forms.CharField(
        label=_("Name of the related enterprise or investor"), required=False, max_length=200
    )
    direction = forms.ChoiceField(label=_("Relation"), choices=DIRECTIONS, required=False)
    capital_pct = pct_field(_("Share of capital (%)"))
    voting_pct = pct_field(_("Share of voting rights (%)"))
    control = forms.BooleanField(
        label=_("Control (majority of votes, board, dominant influence or agreement)"),
        required=False,
    )
    investor_category = forms.ChoiceField(
        label=_("Investor category"), choices=INVESTOR_CATEGORIES, required=False
    )
    investment_eur = money_field(_("Amount invested by business angels (EUR)"), required=False)
    acting_jointly_with = forms.CharField(
        label=_("Acting jointly with"),
        required=False,
        max_length=400,
        help_text=_("Names of other relations on this page, separated by commas."),
    )
    year_end = forms.DateField(
        label=_("End of its last accounting year"), required=False, widget=_date_widget()
    )
    staff_awu = figure_field(_("Its staff (annual work units)"))
    turnover_eur = money_field(_("Its turnover (EUR)"), required=False)
    balance_sheet_eur = money_field(_("Its balance sheet total (EUR)"), required=False)
    required_when_used = ("name", "direction")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        # The direction select always sends a value: a row counts as used once it has a name
        # or figures.
        return all(
            v in (None, "", [], False) for k, v in data.items() if k not in ("DELETE", "direction")
        )

    def clean(self):
        cleaned = super().clean()
        if self.is_blank():
            return cleaned
        figures = ("year_end", "staff_awu", "turnover_eur", "balance_sheet_eur")
        if any(cleaned.get(f) not in (None, "") for f in figures):
            for f in figures:
                if cleaned.get(f) in (None, "") and f not in self.errors:
                    self.add_error(f, _("Give all four figures of the period, or none."))
        if (
            cleaned.get("investor_category") == "business_angel"
            and cleaned.get("investment_eur") is None
        ):
            self.add_error("investment_eur", _("Required for business angels."))
        return cleaned

    def as_json(self) -> dict:
        d = self.cleaned_data
        periods = []
        if d.get("year_end"):
            periods.append(
                {
                    "year_end": d["year_end"].isoformat(),
                    "staff_awu": _number(d["staff_awu"]),
                    "turnover_eur": _money(d["turnover_eur"]),
                    "balance_sheet_eur": _money(d["balance_sheet_eur"]),
                }
            )
        jointly = [n.strip() for n in (d.get("acting_jointly_with") or "").split(",") if n.strip()]
        return {
            "name": d["name"],
            "direction": d["direction"] or "upstream",
            "capital_pct": _number(d.get("capital_pct") or Decimal(0)),
            "voting_pct": _number(d.get("voting_pct") or Decimal(0)),
            "control": bool(d.get("control")),
            "investor_category": d.get("investor_category") or None,
            "investment_eur": _money(d.get("investment_eur")),
            "acting_jointly_with": jointly,
            "periods": periods,
        }


class AidForm(_OptionalRowForm):
    granted_on = forms.DateField(label=_("Granted on"), required=False, widget=_date_widget())
    amount_eur = money_field(_("Amount (EUR)"), required=False)
    description = forms.CharField(label=_("Aid (description)"), required=False, max_length=200)
    required_when_used = ("granted_on", "amount_eur")

    def as_json(self) -> dict:
        d = self.cleaned_data
        return {
            "granted_on": d["granted_on"].isoformat(),
            "amount_eur": _money(d["amount_eur"]),
            "description": d.get("description") or "",
        }


PeriodFormSet = formset_factory(PeriodForm, extra=1, max_num=6, absolute_max=6)
RelationFormSet = formset_factory(RelationForm, extra=1, max_num=10, absolute_max=10)
AidFormSet = formset_factory(AidForm, extra=1, max_num=20, absolute_max=20)


class ApplicationBundle:
    """The application form and its three formsets (SME periods, relations, prior aid), built and
    validated together, and turned into the keyword arguments of the services."""

    def __init__(self, data=None, *, initial=None, lock_enterprise=False):
        initial = initial or {}
        decl = initial.get("declaration") or {}
        sme = decl.get("sme") or {}
        periods = (sme.get("enterprise") or {}).get("periods") or []
        relations = sme.get("relations") or []
        aid = decl.get("de_minimis_prior_aid") or []
        main_initial = {k: v for k, v in initial.items() if k not in ("declaration", "signatory")}
        for key, value in (initial.get("signatory") or {}).items():
            main_initial[f"signatory_{key}"] = value
        if decl:
            main_initial["negative_equity"] = bool(decl.get("negative_equity"))
            main_initial["public_participation_pct"] = _decimal(
                decl.get("public_participation_pct")
            )
        self.form = ApplicationForm(data, initial=main_initial, lock_enterprise=lock_enterprise)
        # Two empty period rows on a new file: the SME test compares consecutive years.
        period_initial = [_period_initial(p) for p in periods] or None
        self.periods = PeriodFormSet(data, prefix="periods", initial=period_initial)
        if not periods and data is None:
            self.periods.extra = 2
        self.relations = RelationFormSet(
            data, prefix="relations", initial=[_relation_initial(r) for r in relations] or None
        )
        self.aid = AidFormSet(data, prefix="aid", initial=[_aid_initial(a) for a in aid] or None)
        self.non_field_errors: list[str] = []

    @property
    def formsets(self):
        return {"periods": self.periods, "relations": self.relations, "aid": self.aid}

    def is_valid(self) -> bool:
        results = [
            self.form.is_valid(),
            self.periods.is_valid(),
            self.relations.is_valid(),
            self.aid.is_valid(),
        ]
        if all(results):
            used_relations = [f for f in self.relations.forms if not f.is_blank()]
            used_periods = [f for f in self.periods.forms if not f.is_blank()]
            if used_relations and not used_periods:
                self.non_field_errors.append(
                    str(
                        _(
                            "Give the figures of at least one accounting period of the enterprise "
                            "when you declare relations."
                        )
                    )
                )
                return False
        return all(results)

    def _used(self, formset):
        return [f for f in formset.forms if not f.is_blank()]

    def declaration(self) -> dict:
        periods = self._used(self.periods)
        relations = self._used(self.relations)
        sme = None
        if periods:
            sme = {
                "enterprise": {"periods": [f.as_json() for f in periods]},
                "relations": [f.as_json() for f in relations],
            }
        pct = self.form.cleaned_data.get("public_participation_pct") or Decimal(0)
        return {
            "sme": sme,
            "de_minimis_prior_aid": [f.as_json() for f in self._used(self.aid)],
            "negative_equity": bool(self.form.cleaned_data.get("negative_equity")),
            "public_participation_pct": _number(pct),
        }

    def service_kwargs(self) -> dict:
        d = self.form.cleaned_data
        return {
            "enterprise_number": d["enterprise_number"],
            "enterprise_name": d["enterprise_name"],
            "enterprise_kind": d["enterprise_kind"],
            "postal_code": d["postal_code"],
            "package": d["package"],
            "extensions": list(d.get("extensions") or []),
            "cost_eur": d["cost_eur"],
            "declaration": self.declaration(),
            "signatory": self.signatory(),
        }

    def signatory(self) -> dict | None:
        """None when left empty (a draft may lack it; submitting then names the field)."""
        d = self.form.cleaned_data
        if not any(d.get(f) for f in ("signatory_name", "signatory_email", "signatory_capacity")):
            return None
        return {
            "name": d.get("signatory_name") or "",
            "email": d.get("signatory_email") or "",
            "capacity": d.get("signatory_capacity") or "",
            "language": d.get("signatory_language") or "nl",
        }

    def add_domain_error(self, field: str | None, message: str) -> None:
        """Show a service's error next to the field it names, or at the top of the form."""
        if field and field in self.form.fields:
            self.form.add_error(field, message)
            return
        match = re.match(
            r"^declaration\.(?:sme\.enterprise\.periods|sme\.relations|de_minimis_prior_aid)\[(\d+)\]\.?(\w*)",
            field or "",
        )
        if match:
            formset = (
                self.periods
                if ".periods[" in field and "relations" not in field
                else self.relations
                if "relations" in field
                else self.aid
            )
            used = self._used(formset)
            index, name = int(match.group(1)), match.group(2)
            if index < len(used):
                target = used[index]
                if name in target.fields:
                    target.add_error(name, message)
                    return
                target.add_error(None, message)
                return
        if field == "signatory":
            self.form.add_error("signatory_name", message)
            return
        if field and field.startswith("signatory."):
            name = "signatory_" + field.split(".", 1)[1]
            if name in self.form.fields:
                self.form.add_error(name, message)
                return
        if field in ("declaration.negative_equity", "declaration.public_participation_pct"):
            self.form.add_error(field.split(".", 1)[1], message)
            return
        self.non_field_errors.append(message)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.non_field_errors
            or self.form.errors
            or any(
                fs.non_form_errors() or any(f.errors for f in fs.forms)
                for fs in self.formsets.values()
            )
        )


def _decimal(value):
    """A figure stored in the declaration (machine spelling, as the API takes it) back into
    the form."""
    if value in (None, ""):
        return None
    try:
        return parse_amount(
            value, places=FIGURE_PLACES, max_digits=FIGURE_PLACES + 14, quantize=False
        )
    except AmountError:
        return None


def _period_initial(p: dict) -> dict:
    return {
        "year_end": p.get("year_end"),
        "staff_awu": _decimal(p.get("staff_awu")),
        "turnover_eur": _decimal(p.get("turnover_eur")),
        "balance_sheet_eur": _decimal(p.get("balance_sheet_eur")),
    }


def _relation_initial(r: dict) -> dict:
    period = (r.get("periods") or [{}])[0]
    return {
        "name": r.get("name"),
        "direction": r.get("direction"),
        "capital_pct": _decimal(r.get("capital_pct")),
        "voting_pct": _decimal(r.get("voting_pct")),
        "control": bool(r.get("control")),
        "investor_category": r.get("investor_category") or "",
        "investment_eur": _decimal(r.get("investment_eur")),
        "acting_jointly_with": ", ".join(r.get("acting_jointly_with") or []),
        **_period_initial(period),
    }


def _aid_initial(a: dict) -> dict:
    return {
        "granted_on": a.get("granted_on"),
        "amount_eur": _decimal(a.get("amount_eur")),
        "description": a.get("description", ""),
    }


# --- answers and decisions -------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for withdrawing (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def reason_choices():
    return [(r.code, r.label()) for r in ReasonCode.objects.filter(active=True)]


class DecisionForm(forms.Form):
    APPROVE, REJECT, REQUEST_INFO = "approve", "reject", "request_info"
    action = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve")),
            (REJECT, _("Reject")),
            (REQUEST_INFO, _("Request information")),
        ],
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for rejection"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note (letter text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("The letter text of the chosen reasons is proposed; adapt it where needed."),
    )
    question = forms.CharField(
        label=_("Question to the service provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = reason_choices()

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.REJECT and not cleaned.get("reasons"):
            self.add_error("reasons", _("Choose at least one reason for a rejection."))
        if action == self.REQUEST_INFO and not (cleaned.get("question") or "").strip():
            self.add_error("question", _("Write the question the service provider must answer."))
        return cleaned


class StopForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for stopping"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = reason_choices()
