"""Shapes of the API: input serializers check types and sizes only (rules live in the services),
output serializers render what the selectors loaded. Nothing here changes state."""

from __future__ import annotations

from datetime import date

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from csgrants.applications.actions import actions_for
from csgrants.applications.models import Application, Status
from csgrants.core.internals import ModelFieldsOnceMixin
from csgrants.core.money import AmountError, parse_money
from csgrants.core.postal import PROVINCES

MONEY_OUT = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True, "read_only": True}


def _lang() -> str:
    return "en" if (get_language() or "nl")[:2] == "en" else "nl"


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$", "example": "24000.00"},
            {"type": "number", "minimum": 0, "maximum": 999999999999.99},
        ],
        "description": "Amount in euro: a string or a number, at most two decimals.",
    }
)
class AmountField(serializers.Field):
    """Money in: a string or a JSON number in the machine spelling (9200.00), read by core's one
    parser (never through float arithmetic): at most two decimals, 0 up to what the database
    holds."""

    def to_internal_value(self, data):
        try:
            return parse_money(data)
        except AmountError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code)

    def to_representation(self, value):
        return f"{value:.2f}"


_MONEY_IN_SCHEMA = {
    "oneOf": [{"type": "string", "example": "5000.00"}, {"type": "number", "minimum": 0}],
    "description": "Amount in euro, a string or a number.",
}
_PERIOD_SCHEMA = {
    "type": "object",
    "required": ["year_end", "staff_awu", "turnover_eur", "balance_sheet_eur"],
    "properties": {
        "year_end": {"type": "string", "format": "date"},
        "staff_awu": {"oneOf": [{"type": "string"}, {"type": "number", "minimum": 0}]},
        "turnover_eur": _MONEY_IN_SCHEMA,
        "balance_sheet_eur": _MONEY_IN_SCHEMA,
    },
}
_INVESTOR_CATEGORIES = [
    "public_investment_corporation",
    "venture_capital",
    "business_angel",
    "university",
    "research_centre",
    "institutional_investor",
    "regional_development_fund",
    "small_local_authority",
    "public_body",
]
SME_INPUT_SCHEMA = {
    "type": "object",
    "required": ["enterprise"],
    "properties": {
        "enterprise": {
            "type": "object",
            "required": ["periods"],
            "properties": {
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": ["kmo", "maatwerkbedrijf"]},
                "periods": {"type": "array", "minItems": 1, "items": _PERIOD_SCHEMA},
            },
        },
        "relations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "direction"],
                "properties": {
                    "name": {"type": "string"},
                    "direction": {"type": "string", "enum": ["upstream", "downstream"]},
                    "capital_pct": {"type": "number", "minimum": 0, "maximum": 100},
                    "voting_pct": {"type": "number", "minimum": 0, "maximum": 100},
                    "control": {"type": "boolean"},
                    "investor_category": {
                        "type": "string",
                        "enum": _INVESTOR_CATEGORIES,
                        "nullable": True,
                    },
                    "investment_eur": {**_MONEY_IN_SCHEMA, "nullable": True},
                    "acting_jointly_with": {"type": "array", "items": {"type": "string"}},
                    "periods": {"type": "array", "items": _PERIOD_SCHEMA},
                },
            },
        },
    },
    "description": "SME figures and relations, as in the eligibility contract.",
}
AID_SCHEMA = {
    "type": "object",
    "required": ["granted_on", "amount_eur"],
    "properties": {
        "granted_on": {"type": "string", "format": "date"},
        "amount_eur": _MONEY_IN_SCHEMA,
        "description": {"type": "string"},
    },
}
DECLARATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "sme": {**SME_INPUT_SCHEMA, "nullable": True},
        "de_minimis_prior_aid": {"type": "array", "items": AID_SCHEMA},
        "negative_equity": {"type": "boolean"},
        "public_participation_pct": {"type": "number", "minimum": 0, "maximum": 100},
    },
    "description": "The declaration on honour. Without SME figures the SME check answers `warn`.",
}


@extend_schema_field(DECLARATION_SCHEMA)
class DeclarationField(serializers.JSONField):
    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("must be an object"))
        return data


class SignatorySerializer(serializers.Serializer):
    """Who confirms for the enterprise (contracts/enterprise-confirmation.md); the service checks
    that the e-mail is not one of the filing provider's."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    capacity = serializers.ChoiceField(choices=["zaakvoerder", "bestuurder", "gevolmachtigde"])
    language = serializers.ChoiceField(
        choices=["nl", "en"], default="nl", help_text="Language of the mails to the signatory."
    )


class ApplicationCreateSerializer(serializers.Serializer):
    enterprise_number = serializers.CharField(
        max_length=20, help_text="KBO enterprise number, e.g. 0403.170.701."
    )
    enterprise_name = serializers.CharField(max_length=320)
    enterprise_kind = serializers.CharField(max_length=40, help_text="`kmo` or `maatwerkbedrijf`.")
    postal_code = serializers.CharField(max_length=10)
    package = serializers.CharField(
        max_length=80, help_text="Main package code or a former name (light -> MEDIUM)."
    )
    extensions = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=10, default=list
    )
    cost_eur = AmountField()
    declaration = DeclarationField(default=dict)
    signatory = SignatorySerializer(
        required=False,
        allow_null=True,
        help_text="Required to submit: the person who confirms for the enterprise.",
    )
    submit = serializers.BooleanField(
        default=False,
        help_text="Submit at once (the file then waits for the enterprise's confirmation); "
        "otherwise a draft.",
    )


class ApplicationUpdateSerializer(serializers.Serializer):
    """A draft's (or, with an open information request, the file's) fields; only those sent
    change."""

    enterprise_name = serializers.CharField(max_length=320, required=False)
    enterprise_kind = serializers.CharField(max_length=40, required=False)
    postal_code = serializers.CharField(max_length=10, required=False)
    package = serializers.CharField(max_length=80, required=False)
    extensions = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=10, required=False
    )
    cost_eur = AmountField(required=False)
    declaration = DeclarationField(required=False)
    signatory = SignatorySerializer(required=False, allow_null=True)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approved", "rejected"])
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=20, default=list
    )
    note = serializers.CharField(max_length=5000, allow_blank=True, default="")


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True, default="")


class ApplicationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in Status], required=False)
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="Year of submission (of creation for drafts).",
    )
    package = serializers.CharField(
        max_length=80, required=False, help_text="Main package as filed; code or former name."
    )
    province = serializers.ChoiceField(choices=sorted(PROVINCES), required=False)


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["pass", "warn", "fail"])
    message = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approved", "rejected", "stopped"])
    decided_on = serializers.DateField()
    by_system = serializers.BooleanField()
    reasons = serializers.SerializerMethodField()
    note = serializers.CharField()

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, obj):
        return [{"code": r.code, "label": r.label()} for r in obj.reasons.all()]


class AmendmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["upgrade", "extension"])
    package = serializers.CharField(source="package.code")
    status = serializers.ChoiceField(choices=["submitted", "approved", "rejected"])
    extra_cost_eur = serializers.DecimalField(**MONEY_OUT)
    extra_subsidy_eur = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    requested_on = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)


class ConfirmationRecordSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["confirmed", "withdrawn"])
    name = serializers.CharField()
    capacity = serializers.CharField()
    at = serializers.DateTimeField()
    declaration_sha256 = serializers.CharField()


class ConfirmationSummarySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["not_requested", "awaiting", "confirmed", "withdrawn"],
        help_text="`awaiting`: the file waits for the enterprise's confirmation.",
    )
    link_sent_at = serializers.DateTimeField(allow_null=True)
    link_expires_at = serializers.DateTimeField(allow_null=True)
    link_state = serializers.ChoiceField(
        choices=["open", "used", "expired", "replaced", "closed"], allow_null=True
    )
    latest = ConfirmationRecordSerializer(allow_null=True)


class ApplicationSerializer(ModelFieldsOnceMixin, serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.code")
    enterprise_number = serializers.CharField(source="enterprise.number")
    # The name the file was filed with (issue 20), not the shared enterprise record's.
    enterprise_name = serializers.CharField()
    package = serializers.CharField(source="package.code")
    current_package = serializers.CharField(source="current_package.code")
    extensions = serializers.SerializerMethodField()
    province = serializers.CharField()
    cost_eur = serializers.DecimalField(**MONEY_OUT)
    rate_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=True, read_only=True, allow_null=True
    )
    subsidy_eur = serializers.DecimalField(
        **MONEY_OUT,
        allow_null=True,
        help_text="Computed from the policy in force on the submission date.",
    )
    declaration = serializers.JSONField()
    status = serializers.ChoiceField(choices=[s.value for s in Status], read_only=True)
    checks = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    amendments = AmendmentSerializer(many=True)
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do with the file now (applications.actions.actions_for): "
        "submit, withdraw, approve, reject, request_info, answer_info, start, stop, amend, "
        "complete, send_back, accept_report, decide_amendment, pay, edit, recheck, recall, "
        "resend_confirmation."
    )
    signatory = serializers.SerializerMethodField()
    confirmation = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "reference",
            "status",
            "provider",
            "enterprise_number",
            "enterprise_name",
            "enterprise_kind",
            "postal_code",
            "province",
            "package",
            "current_package",
            "extensions",
            "cost_eur",
            "rate_pct",
            "subsidy_eur",
            "submitted_on",
            "decision_due_on",
            "decided_on",
            "closed_on",
            "declaration",
            "signatory",
            "confirmation",
            "checks",
            "decision",
            "amendments",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj):
        request = self.context.get("request")
        if request is None:
            return []
        return sorted(actions_for(obj, request.user))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_extensions(self, obj):
        return [p.code for p in obj.extensions.all()]

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, obj):
        """The latest run of the automated checks (empty for a draft)."""
        runs = list(obj.check_runs.all())
        if not runs:
            return []
        lang = _lang()
        return [
            {
                "code": r.code,
                "outcome": r.outcome,
                "message": getattr(r, f"message_{lang}") or r.message_nl,
            }
            for r in runs[-1].results.all()
        ]

    @extend_schema_field(SignatorySerializer(allow_null=True))
    def get_signatory(self, obj):
        from csgrants.applications.confirmation import signatory_of

        return signatory_of(obj)

    @extend_schema_field(ConfirmationSummarySerializer())
    def get_confirmation(self, obj):
        from csgrants.applications.confirmation import confirmation_summary

        return ConfirmationSummarySerializer(confirmation_summary(obj, with_current=False)).data

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, obj):
        decisions = [d for d in obj.decisions.all() if d.amendment_id is None]
        return DecisionSerializer(decisions[-1]).data if decisions else None


class PackageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    name_nl = serializers.CharField()
    name_en = serializers.CharField()
    is_extension = serializers.BooleanField()
    active = serializers.BooleanField()
    former_names = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return obj.label()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_former_names(self, obj):
        return [a.name for a in obj.aliases.all()]


class TariffSerializer(serializers.Serializer):
    provider = serializers.CharField(source="provider.code")
    package = serializers.CharField(source="package.code")
    amount_eur = serializers.DecimalField(**MONEY_OUT)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class TariffFilterSerializer(serializers.Serializer):
    provider = serializers.CharField(
        max_length=40, required=False, help_text="Provider code (staff only)."
    )
    on = serializers.DateField(
        required=False, help_text="Only tariffs valid on this date (YYYY-MM-DD)."
    )


class PolicyRateSerializer(serializers.Serializer):
    enterprise_kind = serializers.CharField(source="enterprise_kind.code")
    rate_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=True, read_only=True
    )


class PolicySerializer(serializers.Serializer):
    name = serializers.CharField()
    valid_from = serializers.DateField()
    min_cost_eur = serializers.DecimalField(**MONEY_OUT)
    max_cost_eur = serializers.DecimalField(**MONEY_OUT)
    decision_term_working_days = serializers.IntegerField()
    recent_trajectory_years = serializers.IntegerField()
    straight_through = serializers.BooleanField()
    final_report_term_days = serializers.IntegerField()
    rates = PolicyRateSerializer(many=True)
    admitted_packages = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_admitted_packages(self, obj):
        return [p.code for p in obj.admitted_packages.all()]


class PolicyFilterSerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text="The policy in force on this date (default: today)."
    )


class ReasonCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.SerializerMethodField()
    label_nl = serializers.CharField()
    label_en = serializers.CharField()
    active = serializers.BooleanField()

    def get_label(self, obj) -> str:
        return obj.label()


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The first characters of the key, to recognise it.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class StatisticsFilterSerializer(serializers.Serializer):
    years = serializers.ListField(
        child=serializers.CharField(max_length=50), min_length=1, max_length=20
    )

    def validate_years(self, value):
        years: list[int] = []
        for item in value:
            for part in str(item).split(","):
                part = part.strip()
                if not part.isdigit() or not 2000 <= int(part) <= 2100:
                    raise serializers.ValidationError(
                        _("each year must be a number between 2000 and 2100")
                    )
                years.append(int(part))
        if not years or len(years) > 20:
            raise serializers.ValidationError(_("give between 1 and 20 years"))
        return sorted(set(years))


class RunwayFilterSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, value):
        if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise serializers.ValidationError(_("give a date between 2000 and 2100"))
        return value


class WhatIfSerializer(serializers.Serializer):
    rate_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    from_date = serializers.DateField()
    until = serializers.DateField(required=False)
    min_cost_eur = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    max_cost_eur = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = ProblemErrorSerializer(many=True, required=False)
    request_id = serializers.CharField(required=False)
