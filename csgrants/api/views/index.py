"""GET /api/v1/: where to start, for a person or a program that opens the API's root."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiIndexView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    # Not an operation of the contract: it only points at the contract (the schema) and the docs.
    @extend_schema(exclude=True)
    def get(self, request):
        def url(name):
            return reverse(name, request=request)

        return Response(
            {
                "name": "csgrants",
                "version": "v1",
                "schema": url("api-schema"),
                "docs": url("api-docs"),
                "links": {
                    "applications": url("api-application-list"),
                    "packages": url("api-packages"),
                    "tariffs": url("api-tariffs"),
                    "policy": url("api-policy"),
                    "reason_codes": url("api-reason-codes"),
                    "tokens": url("api-tokens"),
                },
            }
        )
