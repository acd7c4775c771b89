"""Applications, addressed by reference. Views parse, call one service, render; the services
hold the rules, the transaction and the audit."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from csgrants.api import selectors
from csgrants.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from csgrants.api.idempotency import idempotent
from csgrants.api.permissions import IsDecider, IsProvider, IsProviderOrStaff
from csgrants.api.serializers import (
    ApplicationCreateSerializer,
    ApplicationFilterSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    DecisionInputSerializer,
    NoteInputSerializer,
)
from csgrants.applications import services
from csgrants.applications.actions import DECISION_STEPS, actions_for
from csgrants.core.errors import TransitionNotAllowed

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeat a POST safely: the same key with the same body returns the first answer and "
    "changes nothing; the same key with another body answers 422. Kept at least 24 hours.",
)
REFERENCE_PARAMETER = OpenApiParameter(
    "reference",
    str,
    OpenApiParameter.PATH,
    description="The application's reference, e.g. CS-2026-00042.",
    pattern=r"^[A-Za-z0-9-]{1,40}$",
)


class ApplicationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(
        summary="List applications",
        description="Paginated, newest first. A provider user sees its own provider's files only.",
        parameters=[ApplicationFilterSerializer],
    ),
    retrieve=extend_schema(
        summary="One application",
        description="With its latest automated checks, due date, decision and amendments. Another "
        "provider's application answers 404, exactly as one that does not exist.",
        parameters=[REFERENCE_PARAMETER],
    ),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApplicationSerializer
    pagination_class = ApplicationPagination
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]{1,40}"

    def get_permissions(self):
        if self.action in ("create", "submit", "withdraw", "partial_update"):
            return [IsProvider()]
        if self.action == "decision":
            return [IsDecider()]
        return [IsProviderOrStaff()]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            filters = ApplicationFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            return selectors.applications_for_api(user, **filters.validated_data)
        return selectors.with_details(selectors.applications_visible_to(user))

    def _fetch(self, reference: str):
        application = selectors.application_for_api(self.request.user, reference)
        if application is None:
            raise NotFound()
        return application

    def _render(self, reference: str, code=status.HTTP_200_OK, headers=None) -> Response:
        application = self._fetch(reference)
        return Response(
            ApplicationSerializer(application, context={"request": self.request}).data,
            status=code,
            headers=headers,
        )

    @extend_schema(
        summary="File an application",
        description='`"submit": true` submits at once: the file then waits for the enterprise\'s '
        "confirmation (status `awaiting_confirmation`; its signatory receives a personal link) and "
        "reaches the agency when the enterprise confirms. Otherwise the application stays a draft. "
        "Submitting needs `signatory` (400 naming `signatory`). A provider holds one undecided file "
        "(draft, awaiting confirmation, submitted, information requested) per enterprise: a second "
        "filing for the same enterprise, such as the same request sent twice, answers 409 "
        "`OPEN_FILE_EXISTS` naming the first file in `detail`, and creates nothing.",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer},
        examples=[
            OpenApiExample(
                "File and submit",
                request_only=True,
                value={
                    "enterprise_number": "0403.170.701",
                    "enterprise_name": "Voorbeeld NV",
                    "enterprise_kind": "kmo",
                    "postal_code": "9000",
                    "package": "MEDIUM",
                    "extensions": [],
                    "cost_eur": "24000.00",
                    "declaration": {
                        "sme": {
                            "enterprise": {
                                "periods": [
                                    {
                                        "year_end": "2024-12-31",
                                        "staff_awu": 20,
                                        "turnover_eur": "3000000",
                                        "balance_sheet_eur": "2000000",
                                    }
                                ]
                            },
                            "relations": [],
                        },
                        "de_minimis_prior_aid": [
                            {
                                "granted_on": "2025-02-01",
                                "amount_eur": "5000.00",
                                "description": "kmo-portefeuille",
                            }
                        ],
                        "negative_equity": False,
                        "public_participation_pct": 0,
                    },
                    "signatory": {
                        "name": "An Janssens",
                        "email": "an.janssens@voorbeeld-nv.be",
                        "capacity": "zaakvoerder",
                        "language": "nl",
                    },
                    "submit": True,
                },
            )
        ],
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        return idempotent(self, request, lambda: self._create(request))

    def _create(self, request) -> Response:
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        application = services.application_create(
            actor=request.user, provider=request.user.service_provider, **fields
        )
        location = request.build_absolute_uri(f"{request.path}{application.reference}/")
        return Response(
            ApplicationSerializer(
                selectors.details_of_new(application, extensions=fields.get("extensions")),
                context={"request": request},
            ).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    @extend_schema(
        summary="Change a draft",
        operation_id="applications_update",
        description="Only the fields sent change. A draft, or a file with an open information "
        "request (a change of what the enterprise declared then needs its confirmation again). "
        "`signatory` is required before submitting; its e-mail may not be one of the provider's "
        "(400 naming `signatory.email`).",
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationSerializer},
        parameters=[REFERENCE_PARAMETER],
    )
    def partial_update(self, request, reference=None):
        application = self.get_object()
        serializer = ApplicationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.application_update(
            actor=request.user, application=application, **serializer.validated_data
        )
        return self._render(application.reference)

    @extend_schema(
        summary="Submit a draft",
        operation_id="applications_submit",
        request=None,
        responses={200: ApplicationSerializer},
        parameters=[REFERENCE_PARAMETER, IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, reference=None):
        def handler():
            application = self.get_object()
            # The service also takes a file back from "information requested" (the web UI's answer
            # flow); through the API only a draft is submitted, as the contract says: the step
            # "submit" of the table, which leaves drafts only.
            if "submit" not in actions_for(application, request.user):
                raise TransitionNotAllowed(
                    f"only a draft can be submitted; this application is {application.status}"
                )
            services.application_submit(actor=request.user, application=application)
            return self._render(application.reference)

        return idempotent(self, request, handler)

    @extend_schema(
        summary="Decide on a submitted application",
        operation_id="applications_decide",
        description="Approval commits the subsidy against the provider's available budget in the same "
        "transaction; when it does not fit the answer is 409 `BUDGET_EXHAUSTED` and nothing changes. "
        "The checks run again on the facts of the moment (another provider's file for the same "
        "enterprise may have been approved since): an approval whose fresh run fails where the "
        "previous run did not answers 409 `CHECKS_CHANGED`, naming the check; the fresh run is "
        "stored and nothing else changes. Approving again, knowing it, proceeds.",
        request=DecisionInputSerializer,
        responses={200: ApplicationSerializer},
        parameters=[REFERENCE_PARAMETER, IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, reference=None):
        def handler():
            application = self.get_object()
            serializer = DecisionInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            # What the caller may do with the file now (applications.actions); the service checks
            # again under the row lock.
            outcome = serializer.validated_data["outcome"]
            if DECISION_STEPS.get(outcome) not in actions_for(application, request.user):
                raise TransitionNotAllowed(
                    f"{application.status} -> {serializer.validated_data['outcome']} is not a step of the workflow"
                )
            services.decision_record(
                actor=request.user, application=application, **serializer.validated_data
            )
            return self._render(application.reference)

        return idempotent(self, request, handler)

    @extend_schema(
        summary="Withdraw an application",
        operation_id="applications_withdraw",
        description="The committed budget, if any, is released.",
        request=NoteInputSerializer,
        responses={200: ApplicationSerializer},
        parameters=[REFERENCE_PARAMETER, IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        def handler():
            application = self.get_object()
            serializer = NoteInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.application_withdraw(
                actor=request.user, application=application, **serializer.validated_data
            )
            return self._render(application.reference)

        return idempotent(self, request, handler)
