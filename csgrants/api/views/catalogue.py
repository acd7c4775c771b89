"""The catalogue, read-only: packages with former names, tariffs, the policy in force, reason codes."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api import selectors
from csgrants.api.serializers import (
    PackageSerializer,
    PolicyFilterSerializer,
    PolicySerializer,
    ReasonCodeSerializer,
    TariffFilterSerializer,
    TariffSerializer,
)
from csgrants.catalogue.selectors import policy_in_force


class PackageListView(APIView):
    @extend_schema(
        summary="Packages",
        description="Main and extension packages with their former names.",
        responses={200: PackageSerializer(many=True)},
    )
    def get(self, request):
        return Response(PackageSerializer(selectors.packages_for_api(), many=True).data)


class TariffListView(APIView):
    @extend_schema(
        summary="Tariffs",
        description="Package prices per provider. A provider user sees its own.",
        parameters=[TariffFilterSerializer],
        responses={200: TariffSerializer(many=True)},
    )
    def get(self, request):
        filters = TariffFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tariffs = selectors.tariffs_for_api(
            request.user,
            provider_code=filters.validated_data.get("provider"),
            on=filters.validated_data.get("on"),
        )
        return Response(TariffSerializer(tariffs, many=True).data)


class PolicyView(APIView):
    @extend_schema(
        summary="Policy in force",
        operation_id="catalogue_policy",
        description="The policy version in force today or on `?on=`.",
        parameters=[PolicyFilterSerializer],
        responses={200: PolicySerializer},
    )
    def get(self, request):
        filters = PolicyFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        policy = policy_in_force(filters.validated_data.get("on") or timezone.localdate())
        return Response(PolicySerializer(policy).data)


class ReasonCodeListView(APIView):
    @extend_schema(
        summary="Reason codes",
        description="Codes for rejections and stops, with labels.",
        responses={200: ReasonCodeSerializer(many=True)},
    )
    def get(self, request):
        return Response(ReasonCodeSerializer(selectors.reason_codes_for_api(), many=True).data)
