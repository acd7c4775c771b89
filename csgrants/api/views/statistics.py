"""The parliamentary report as JSON (contracts/report.md), for agency staff."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api.permissions import IsStaff
from csgrants.api.serializers import StatisticsFilterSerializer
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
