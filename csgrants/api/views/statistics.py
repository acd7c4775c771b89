"""The parliamentary report as JSON (contracts/report.md) and the policy insight (contracts/
insight.md: the budget runway, the what-if scenario), for agency staff."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api.permissions import IsStaff
from csgrants.api.serializers import (
    RunwayFilterSerializer,
    StatisticsFilterSerializer,
    WhatIfSerializer,
)
from csgrants.core import clock
from csgrants.reporting.insight import add_insight
from csgrants.reporting.runway import runway
from csgrants.reporting.selectors import build_report
from csgrants.reporting.whatif import scenario_from, what_if

REPORT_SCHEMA = {
    "type": "object",
    "required": ["scheme", "generated_at", "years"],
    "properties": {
        "scheme": {"type": "string"},
        "generated_at": {"type": "string", "format": "date-time"},
        "years": {
            "type": "object",
            "description": "One entry per requested year, keyed by the year (see the report contract).",
            "additionalProperties": {"type": "object"},
        },
        "runway": {
            "type": "object",
            "description": "The budget runway today (as /statistics/runway/).",
        },
        "inflow": {
            "type": "object",
            "description": "Files submitted, approved and enterprises reached per month and package, "
            "with the policy changes (docs/statistics.md).",
        },
        "funnel": {
            "type": "object",
            "description": "Per year: the files filed that year reaching each step, the share moving "
            "on and the median working days between steps.",
            "additionalProperties": {"type": "object"},
        },
    },
}


class StatisticsReportView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Statistics report",
        operation_id="statistics_report",
        description="The yearly statistics report (the machine form of `parliamentary_report --format "
        "json`). `?years=2021&years=2022` or `?years=2021,2022`. Agency staff only.",
        parameters=[
            OpenApiParameter(
                "years",
                str,
                OpenApiParameter.QUERY,
                required=True,
                many=True,
                explode=True,
                description="Years, repeated or comma-separated.",
            ),
        ],
        responses={200: REPORT_SCHEMA},
    )
    def get(self, request):
        filters = StatisticsFilterSerializer(data={"years": request.query_params.getlist("years")})
        filters.is_valid(raise_exception=True)
        return Response(add_insight(build_report(filters.validated_data["years"])))


_DATES = {
    "type": "object",
    "nullable": True,
    "required": ["p10", "p50", "p90"],
    "properties": {k: {"type": "string", "format": "date"} for k in ("p10", "p50", "p90")},
}
_FORECAST = {
    "available_eur": {"type": "string", "example": "120000.00"},
    "weekly_commitments_eur": {
        "type": "object",
        "properties": {"weeks": {"type": "integer"}, "mean": {"type": "string"}},
    },
    "exhaustion": _DATES,
    "reason": {
        "type": "string",
        "nullable": True,
        "enum": ["not_enough_history", "no_commitments", "exhausted", None],
    },
}
RUNWAY_SCHEMA = {
    "type": "object",
    "required": ["as_of", "providers", "total"],
    "properties": {
        "as_of": {"type": "string", "format": "date"},
        "providers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "provider": {"type": "string"},
                    "name": {"type": "string"},
                    **_FORECAST,
                },
            },
        },
        "total": {
            "type": "object",
            "properties": {**_FORECAST, "reserve_free_eur": {"type": "string"}},
        },
    },
}


class StatisticsRunwayView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Budget runway",
        operation_id="statistics_runway",
        description="When each provider's available budget, and the scheme's, runs out if the "
        "net weekly commitments of the last 26 weeks before `as_of` go on: the P10, P50 and P90 "
        "dates of a bootstrap with a fixed seed (docs/statistics.md). `exhaustion` is null with "
        "`reason` `not_enough_history` (fewer than 8 weeks) or `no_commitments`; `exhausted` "
        "gives `as_of` three times. Agency staff only.",
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="The day of the forecast (default today).",
            ),
        ],
        responses={200: RUNWAY_SCHEMA},
    )
    def get(self, request):
        filters = RunwayFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        as_of = filters.validated_data.get("as_of") or clock.today()
        return Response(runway(as_of).as_json())


_SIDES = {
    "type": "object",
    "properties": {"current_eur": {"type": "string"}, "scenario_eur": {"type": "string"}},
}
WHAT_IF_SCHEMA = {
    "type": "object",
    "required": ["kind", "label", "as_of", "inputs", "providers", "total"],
    "properties": {
        "kind": {"type": "string", "enum": ["scenario"]},
        "label": {"type": "string"},
        "as_of": {"type": "string", "format": "date"},
        "inputs": {"type": "object"},
        "providers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "provider": {"type": "string"},
                    "name": {"type": "string"},
                    "available_eur": {"type": "string"},
                    "open": {
                        "type": "object",
                        "properties": {"files": {"type": "integer"}, **_SIDES["properties"]},
                    },
                    "expected": {
                        "type": "object",
                        "properties": {"files": {"type": "number"}, **_SIDES["properties"]},
                    },
                    "remaining_current_eur": {"type": "string"},
                    "remaining_scenario_eur": {"type": "string"},
                    "short_in_scenario": {"type": "boolean"},
                },
            },
        },
        "total": {"type": "object"},
    },
}


class StatisticsWhatIfView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="What-if scenario",
        operation_id="statistics_what_if",
        description="What the open files and the files expected at the pace of the last 26 weeks "
        "would cost with another subsidy rate (and optionally another admissible cost range) "
        "from `from_date` until `until` (default one year later), against each provider's "
        "available budget. A scenario, never a forecast: nothing is stored. Agency staff only.",
        request=WhatIfSerializer,
        responses={200: WHAT_IF_SCHEMA},
    )
    def post(self, request):
        data = WhatIfSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(what_if(scenario_from(**data.validated_data)))
