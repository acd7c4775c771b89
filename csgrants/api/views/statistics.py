"""The parliamentary report as JSON (contracts/report.md) and the policy insight (contracts/
insight.md: the budget runway, the what-if scenario), for agency staff."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api.permissions import IsStaff
from csgrants.api.serializers import RunwayFilterSerializer, StatisticsFilterSerializer
from csgrants.core import clock
from csgrants.reporting.runway import runway
from csgrants.reporting.selectors import build_report

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
        return Response(build_report(filters.validated_data["years"]))


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
