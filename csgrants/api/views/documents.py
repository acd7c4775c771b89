"""A file's documents (the decision letters): the list and the download of exactly the stored
bytes. The provider of the file and agency staff may read them; another provider gets 404, as
for a file that does not exist."""

from __future__ import annotations

import json
import uuid

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from csgrants.api import selectors
from csgrants.api.permissions import IsProviderOrStaff
from csgrants.api.views.applications import REFERENCE_PARAMETER
from csgrants.documents.selectors import letter_with_content, letters_of


class DocumentSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The letter's id (a UUID).")
    kind = serializers.CharField(help_text="`decision`: a decision letter.")
    decision = serializers.CharField(
        source="letter_kind",
        help_text="approval, rejection, stop, amendment or payment.",
    )
    language = serializers.CharField(help_text="nl or en.")
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    sha256 = serializers.CharField(help_text="SHA-256 of the stored PDF, hexadecimal.")
    size = serializers.IntegerField(help_text="Bytes.")
    replaces = serializers.SerializerMethodField(
        help_text="The id of the letter this one corrects, or null."
    )
    download = serializers.SerializerMethodField(help_text="URL of the PDF.")

    def get_replaces(self, letter) -> str | None:
        return str(letter.replaces_id) if letter.replaces_id else None

    def get_download(self, letter) -> str:
        url = reverse(
            "api-document-download",
            kwargs={"reference": self.context["reference"], "letter_id": letter.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def _application(request, reference: str):
    application = (
        selectors.applications_visible_to(request.user).filter(reference=reference).first()
    )
    if application is None:
        raise NotFound()
    return application


class DocumentListView(APIView):
    permission_classes = [IsProviderOrStaff]

    @extend_schema(
        summary="A file's documents",
        description="The decision letters of the file, oldest first; a correction names the "
        "letter it replaces. Another provider's file answers 404.",
        parameters=[REFERENCE_PARAMETER],
        responses={200: DocumentSerializer(many=True)},
    )
    def get(self, request, reference: str):
        application = _application(request, reference)
        letters = letters_of(application)
        return Response(
            DocumentSerializer(
                letters, many=True, context={"request": request, "reference": reference}
            ).data
        )


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view answers the stored bytes itself,
    and an error (a dict) is still written as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


class DocumentDownloadView(APIView):
    permission_classes = [IsProviderOrStaff]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        summary="Download a document",
        description="Exactly the stored bytes (application/pdf); their SHA-256 is the list's "
        "`sha256`.",
        parameters=[
            REFERENCE_PARAMETER,
            OpenApiParameter("letter_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
        },
    )
    def get(self, request, reference: str, letter_id: uuid.UUID):
        application = _application(request, reference)
        letter = letter_with_content(application, letter_id)
        if letter is None:
            raise NotFound()
        return pdf_response(letter)


def pdf_response(letter) -> HttpResponse:
    response = HttpResponse(bytes(letter.content), content_type="application/pdf")
    filename = f"{letter.application.reference}-{letter.letter_kind}-{letter.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(letter.size)
    response["X-Content-SHA256"] = letter.sha256
    response["Cache-Control"] = "private, no-store"
    return response
