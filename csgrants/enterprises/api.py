"""GET /api/v1/enterprises/{number}/: the register's view of one enterprise (KBO open data)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.enterprises.selectors import enterprise_lookup


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField()
    house_number = serializers.CharField()
    box = serializers.CharField()
    postal_code = serializers.CharField()
    municipality = serializers.CharField()


class EstablishmentSerializer(serializers.Serializer):
    establishment_number = serializers.CharField(help_text="KBO form, e.g. 2.000.000.339")
    start_date = serializers.DateField(allow_null=True)
    address = AddressSerializer(allow_null=True)


class ActivitySerializer(serializers.Serializer):
    nace_version = serializers.CharField(help_text="2003, 2008 or 2025")
    nace_code = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    classification = serializers.CharField(help_text="MAIN for main activities")


class EnterpriseRegisterSerializer(serializers.Serializer):
    enterprise_number = serializers.CharField(help_text="Canonical form, e.g. 0403.170.701")
    name = serializers.CharField(
        allow_null=True,
        help_text="Official name before commercial name; Dutch first, then French, German, English",
    )
    legal_form = serializers.CharField(allow_null=True, help_text="KBO JuridicalForm code")
    legal_form_description = serializers.CharField(allow_null=True)
    juridical_situation = serializers.CharField(
        help_text="KBO JuridicalSituation code, 000 = normal"
    )
    start_date = serializers.DateField(allow_null=True)
    seat_address = AddressSerializer(allow_null=True, help_text="null for natural persons")
    establishments = EstablishmentSerializer(many=True)
    province = serializers.CharField(
        allow_null=True,
        help_text="ISO 3166-2 code from the seat, else from the oldest establishment unit",
    )
    region = serializers.ChoiceField(choices=["flanders", "brussels", "wallonia"], allow_null=True)
    activities = ActivitySerializer(many=True, help_text="Main NACE activities")


PROBLEM = inline_serializer(
    "EnterpriseNotFoundProblem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
    },
)


class EnterpriseRegisterView(APIView):
    """The KBO register's data on one enterprise, to prefill an application."""

    @extend_schema(
        operation_id="enterprise_register_lookup",
        parameters=[
            OpenApiParameter(
                "number",
                str,
                OpenApiParameter.PATH,
                description="Enterprise number in any accepted spelling: 0403.170.701, 0403170701, BE0403170701",
            )
        ],
        responses={
            200: EnterpriseRegisterSerializer,
            (404, "application/problem+json"): OpenApiResponse(
                PROBLEM, description="Unknown or invalid number"
            ),
        },
        tags=["enterprises"],
    )
    def get(self, request, number: str):
        found = enterprise_lookup(number)
        if found is None:
            return Response(
                {
                    "type": "about:blank",
                    "title": _("Not found."),
                    "status": 404,
                    "detail": _("No enterprise with number %(number)s in the KBO register.")
                    % {"number": number},
                    "code": "NOT_FOUND",
                },
                status=404,
                content_type="application/problem+json",
            )
        return Response(EnterpriseRegisterSerializer(found).data)
