"""The two eligibility checks with real arithmetic, on their own (contracts/eligibility.md).
The pure engine lives in csgrants.eligibility; this view only carries JSON in and out."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api.serializers import AID_SCHEMA, SME_INPUT_SCHEMA
from csgrants.core.errors import ValidationFailed

_MONEY_OUT = {"type": "string", "pattern": r"^\d+\.\d{2}$"}
_FIGURES_OUT = {
    "type": "object",
    "properties": {
        "staff_awu": _MONEY_OUT,
        "turnover_eur": _MONEY_OUT,
        "balance_sheet_eur": _MONEY_OUT,
    },
}
_CATEGORY = {"type": "string", "enum": ["micro", "small", "medium", "large"]}
SME_ANSWER_SCHEMA = {
    "type": "object",
    "required": ["is_sme", "category", "status", "aggregated", "periods", "relations", "reasons"],
    "properties": {
        "is_sme": {"type": "boolean"},
        "category": _CATEGORY,
        "status": {"type": "string", "enum": ["autonomous", "partner", "linked"]},
        "aggregated": {
            "type": "object",
            "properties": {
                "year_end": {"type": "string", "format": "date"},
                **_FIGURES_OUT["properties"],
            },
        },
        "periods": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "year_end": {"type": "string", "format": "date"},
                    "category": _CATEGORY,
                    "aggregated": _FIGURES_OUT,
                },
            },
        },
        "relations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "treatment": {
                        "type": "string",
                        "enum": [
                            "linked",
                            "partner",
                            "exempt_investor",
                            "below_threshold",
                            "public_body",
                        ],
                    },
                    "share_pct": _MONEY_OUT,
                },
            },
        },
        "reasons": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
DE_MINIMIS_INPUT_SCHEMA = {
    "type": "object",
    "required": ["grant_date", "amount_eur"],
    "properties": {
        "grant_date": {"type": "string", "format": "date"},
        "amount_eur": AID_SCHEMA["properties"]["amount_eur"],
        "fiscal_year_end": {
            "type": "string",
            "pattern": r"^\d{2}-\d{2}$",
            "description": "MM-DD, default 12-31.",
        },
        "prior_aid": {"type": "array", "items": AID_SCHEMA},
    },
}
_AID_OUT = {
    "type": "object",
    "properties": {
        "granted_on": {"type": "string", "format": "date"},
        "amount_eur": _MONEY_OUT,
        "description": {"type": "string"},
    },
}
DE_MINIMIS_ANSWER_SCHEMA = {
    "type": "object",
    "required": [
        "eligible",
        "regulation",
        "ceiling_eur",
        "window_start",
        "window_end",
        "cumulated_eur",
        "headroom_eur",
        "counted_aid",
    ],
    "properties": {
        "eligible": {"type": "boolean"},
        "regulation": {"type": "string", "enum": ["1407/2013", "2023/2831"]},
        "ceiling_eur": _MONEY_OUT,
        "window_start": {"type": "string", "format": "date"},
        "window_end": {"type": "string", "format": "date"},
        "cumulated_eur": _MONEY_OUT,
        "headroom_eur": _MONEY_OUT,
        "counted_aid": {"type": "array", "items": _AID_OUT},
    },
}


def _lang() -> str:
    return "en" if (get_language() or "nl")[:2] == "en" else "nl"


def _evaluate(entry_point: str, data) -> dict:
    from csgrants.eligibility import serialize
    from csgrants.eligibility.parsing import EligibilityInputError

    if not isinstance(data, dict):
        raise ValidationFailed(_("the request body must be a JSON object"), field="")
    try:
        return getattr(serialize, entry_point)(data, lang=_lang())
    except EligibilityInputError as exc:
        raise ValidationFailed(
            exc.errors[0][1] if exc.errors else str(exc),
            field=exc.errors[0][0] if exc.errors else "",
            errors=exc.errors,
        )


class SmeCheckView(APIView):
    @extend_schema(
        summary="SME definition check",
        operation_id="eligibility_sme",
        description="EU SME definition (Recommendation 2003/361/EC) for an enterprise and its relations. "
        "Invalid input answers 400 naming the field; it never gets a verdict.",
        request={"application/json": SME_INPUT_SCHEMA},
        responses={200: SME_ANSWER_SCHEMA},
        examples=[
            OpenApiExample(
                "Partner enterprise",
                request_only=True,
                value={
                    "enterprise": {
                        "name": "A",
                        "kind": "kmo",
                        "periods": [
                            {
                                "year_end": "2024-12-31",
                                "staff_awu": 180,
                                "turnover_eur": "30000000",
                                "balance_sheet_eur": "45000000",
                            }
                        ],
                    },
                    "relations": [
                        {
                            "name": "C",
                            "direction": "upstream",
                            "capital_pct": 30,
                            "voting_pct": 30,
                            "control": False,
                            "investor_category": None,
                            "investment_eur": None,
                            "acting_jointly_with": [],
                            "periods": [
                                {
                                    "year_end": "2024-12-31",
                                    "staff_awu": 200,
                                    "turnover_eur": "40000000",
                                    "balance_sheet_eur": "20000000",
                                }
                            ],
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request):
        return Response(_evaluate("evaluate_sme_json", request.data))


class DeMinimisCheckView(APIView):
    @extend_schema(
        summary="De minimis check",
        operation_id="eligibility_de_minimis",
        description="Regulation 1407/2013 (grants up to 2023) or 2023/2831 (from 2024): does the new aid fit "
        "under the ceiling over the window? Invalid input answers 400 naming the field.",
        request={"application/json": DE_MINIMIS_INPUT_SCHEMA},
        responses={200: DE_MINIMIS_ANSWER_SCHEMA},
        examples=[
            OpenApiExample(
                "Within the ceiling",
                request_only=True,
                value={
                    "grant_date": "2024-03-01",
                    "amount_eur": "15000.00",
                    "fiscal_year_end": "12-31",
                    "prior_aid": [
                        {
                            "granted_on": "2022-05-01",
                            "amount_eur": "190000.00",
                            "description": "kmo-portefeuille",
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request):
        return Response(_evaluate("evaluate_de_minimis_json", request.data))
