"""A user's own API tokens: list them, revoke one. New tokens come from `create_api_user` or an
administrator; the raw key is shown once and never stored."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api.models import ApiToken
from csgrants.api.serializers import TokenSerializer
from csgrants.api.tokens import token_revoke


class TokenListView(APIView):
    @extend_schema(summary="My API tokens", responses={200: TokenSerializer(many=True)})
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
        return Response(TokenSerializer(tokens, many=True).data)


class TokenDetailView(APIView):
    @extend_schema(
        summary="Revoke one of my API tokens",
        operation_id="tokens_revoke",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
    )
    def delete(self, request, id: int):
        # Ids beyond a bigint are not found rather than a database error.
        token = (
            ApiToken.objects.filter(user=request.user, pk=id).first() if 0 < id < 2**63 else None
        )
        if token is None:
            raise NotFound()
        token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
