from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from csgrants.api.views.applications import ApplicationViewSet
from csgrants.api.views.catalogue import (
    PackageListView,
    PolicyView,
    ReasonCodeListView,
    TariffListView,
)
from csgrants.api.views.documents import DocumentDownloadView, DocumentListView
from csgrants.api.views.eligibility import DeMinimisCheckView, SmeCheckView
from csgrants.api.views.index import ApiIndexView
from csgrants.api.views.statistics import (
    StatisticsReportView,
    StatisticsRunwayView,
    StatisticsWhatIfView,
)
from csgrants.api.views.tokens import TokenDetailView, TokenListView
from csgrants.enterprises.api import EnterpriseRegisterView

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="api-schema",
    ),
    path(
        "docs/",
        # The split view serves its start script as a file: the CSP allows no inline script.
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema",
            template_name="ops/swagger_ui.html",
            authentication_classes=[],
            permission_classes=[],
        ),
        name="api-docs",
    ),
    *router.urls,
    path(
        "applications/<str:reference>/documents/",
        DocumentListView.as_view(),
        name="api-documents",
    ),
    path(
        "applications/<str:reference>/documents/<uuid:letter_id>/",
        DocumentDownloadView.as_view(),
        name="api-document-download",
    ),
    path("eligibility/sme", SmeCheckView.as_view(), name="api-eligibility-sme"),
    path("eligibility/de-minimis", DeMinimisCheckView.as_view(), name="api-eligibility-de-minimis"),
    path("catalogue/packages/", PackageListView.as_view(), name="api-packages"),
    path("catalogue/tariffs/", TariffListView.as_view(), name="api-tariffs"),
    path("catalogue/policy/", PolicyView.as_view(), name="api-policy"),
    path("catalogue/reason-codes/", ReasonCodeListView.as_view(), name="api-reason-codes"),
    path("statistics/report/", StatisticsReportView.as_view(), name="api-statistics-report"),
    path("statistics/runway/", StatisticsRunwayView.as_view(), name="api-statistics-runway"),
    path("statistics/what-if/", StatisticsWhatIfView.as_view(), name="api-statistics-what-if"),
    path("tokens/", TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:id>/", TokenDetailView.as_view(), name="api-token-detail"),
    path(
        "enterprises/<str:number>/",
        EnterpriseRegisterView.as_view(),
        name="api-enterprise-register",
    ),
]
