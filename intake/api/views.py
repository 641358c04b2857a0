"""The API's endpoints. Every call is rate limited per client (per address before a token is
known) and every answered call is on the audit trail under "API client <name>", as a page view
by a member of staff would be."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import is_ratelimited
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.api import serializers
from intake.enums import AuditAction, CaseStatus
from intake.errors import IntakeError
from intake.fhir import questionnaire as fhir_questionnaire
from intake.http import client_ip
from intake.models import ApiClient, Intake
from intake.services import fhir_exports
from intake.services.common import record_event
from intake.services.invitations import create_invitation

READ_CASES = ApiClient.Scope.READ_CASES
CREATE_INVITATIONS = ApiClient.Scope.CREATE_INVITATIONS
ERROR = OpenApiResponse(
    {"type": "object", "properties": {"detail": {"type": "string"}}},
    description=gettext_lazy("What was wrong, in `detail`."),
)
REFUSALS = {401: ERROR, 403: ERROR, 429: ERROR}


class ApiView(APIView):
    required_scope: str | None = None

    def perform_authentication(self, request) -> None:
        # Count every call, a refused token's too, so that guessing tokens is slow as well.
        ip = client_ip(request)
        try:
            request.user  # noqa: B018 (authenticates)
        except exceptions.AuthenticationFailed:
            self._limit(request, f"ip:{ip}")
            raise
        client = request.auth
        self._limit(request, f"client:{client.pk}" if isinstance(client, ApiClient) else f"ip:{ip}")

    @staticmethod
    def _limit(request, key: str) -> None:
        if is_ratelimited(
            request,
            group="api",
            key=lambda _group, _request: key,
            rate=settings.RATE_LIMIT_API,
            increment=True,
        ):
            raise exceptions.Throttled(detail=_("Too many requests. Wait a while and try again."))

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self._audit_refusal(exc)
        return response

    def _audit_refusal(self, exc) -> None:
        """A presented token that is refused (401) or lacks the scope (403) is on the audit trail,
        as a failed sign-in is: a revoked token still in use, or a system set up wrongly. A call
        with no token at all is not (anyone may knock), nor one over the rate limit (a flood)."""
        request = self.request
        if isinstance(exc, exceptions.AuthenticationFailed):
            actor, why = "API (token not valid)", "the token is not valid"
        elif isinstance(exc, exceptions.PermissionDenied) and isinstance(request.auth, ApiClient):
            actor, why = request.user.get_username(), f"no scope {self.required_scope}"
        else:
            return
        record_event(
            action=AuditAction.LOGIN_FAILED,
            actor_label=actor,
            ip_address=client_ip(request),
            summary=f"API call refused ({why}): {request.method} {request.path}",
        )

    def audit(self, action: str, *, intake: Intake | None = None, summary: str = "") -> None:
        record_event(
            action=action,
            actor_label=self.request.user.get_username(),
            intake=intake,
            obj=intake,
            ip_address=client_ip(self.request),
            summary=summary,
        )


def _submitted_cases():
    return Intake.objects.exclude(status=CaseStatus.DRAFT).select_related("current_assessment")


def _submitted_case(pk: int) -> Intake:
    intake = _submitted_cases().select_related("patient").filter(pk=pk).first()
    if intake is None:  # a draft answers exactly as a case that does not exist
        raise exceptions.NotFound(_("There is no submitted case with this id."))
    return intake


class CasePagination(CursorPagination):
    # Oldest change first: a client keeps the last page's `next` link and polls it.
    ordering = ("updated_at", "pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CaseList(ApiView, generics.ListAPIView):
    required_scope = READ_CASES
    serializer_class = serializers.CaseSerializer
    pagination_class = CasePagination

    def _since(self) -> dt.datetime | None:
        raw = self.request.query_params.get("since")
        if raw is None:
            return None
        try:
            since = parse_datetime(raw.strip())
        except ValueError:
            since = None
        if since is None:
            raise exceptions.ValidationError(
                {"since": [_("Give a date and time such as 2026-12-01T09:00:00Z.")]}
            )
        if timezone.is_naive(since):  # as the clinic reads its own clock
            since = timezone.make_aware(since)
        return since

    def get_queryset(self):
        # The list shows no answers: they stay in the database.
        cases = _submitted_cases().defer("answers", "step_revisions")
        since = self._since()
        if since is not None:
            cases = cases.filter(updated_at__gte=since)
        return cases

    @extend_schema(
        summary=gettext_lazy("Submitted cases changed since a time"),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description=gettext_lazy(
                    "Only cases changed at or after this time (ISO 8601; without an "
                    "offset, the clinic's time zone; a date alone is its start)."
                ),
            )
        ],
        responses={200: serializers.CaseSerializer(many=True), 400: ERROR, **REFUSALS},
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        query = request.query_params.urlencode()
        self.audit(
            AuditAction.VIEW,
            summary=f"API case list: {len(response.data['results'])} shown"
            + (f"; {query}" if query else ""),
        )
        return response


class CaseDetail(ApiView):
    required_scope = READ_CASES

    @extend_schema(
        summary=gettext_lazy("One submitted case"),
        responses={200: serializers.CaseSerializer, 404: ERROR, **REFUSALS},
    )
    def get(self, request, pk: int):
        intake = _submitted_case(pk)
        self.audit(AuditAction.VIEW, intake=intake, summary="API case")
        return Response(serializers.CaseSerializer(intake).data)


class CaseFhirBundle(ApiView):
    required_scope = READ_CASES

    @extend_schema(
        summary=gettext_lazy("One submitted case as a FHIR R4 transaction Bundle"),
        responses={
            (200, fhir_exports.FHIR_JSON): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=gettext_lazy("A FHIR R4 Bundle (docs/integration.md)."),
            ),
            404: ERROR,
            **REFUSALS,
        },
    )
    def get(self, request, pk: int):
        intake = _submitted_case(pk)
        content = fhir_exports.to_json(fhir_exports.case_bundle(intake=intake))
        self.audit(AuditAction.EXPORT, intake=intake, summary="FHIR bundle through the API")
        return HttpResponse(content, content_type=fhir_exports.FHIR_JSON)


class FhirQuestionnaire(ApiView):
    # Any valid token: the questions hold no patient's data.
    required_scope = None

    @extend_schema(
        summary=gettext_lazy("The questionnaire as a FHIR R4 Questionnaire"),
        responses={
            (200, fhir_exports.FHIR_JSON): OpenApiResponse(
                OpenApiTypes.OBJECT, description=gettext_lazy("A FHIR R4 Questionnaire.")
            ),
            **REFUSALS,
        },
    )
    def get(self, request):
        resource = fhir_questionnaire.questionnaire(site_url=settings.SITE_URL)
        self.audit(AuditAction.VIEW, summary="FHIR Questionnaire through the API")
        return HttpResponse(fhir_exports.to_json(resource), content_type=fhir_exports.FHIR_JSON)


class InvitationCreate(ApiView):
    required_scope = CREATE_INVITATIONS

    @extend_schema(
        summary=gettext_lazy("Create an invitation: a new intake and its link"),
        request=serializers.InvitationRequestSerializer,
        responses={201: serializers.InvitationSerializer, 400: ERROR, 409: ERROR, **REFUSALS},
    )
    def post(self, request):
        given = serializers.InvitationRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            invitation, token = create_invitation(
                **given.validated_data,
                actor_label=request.user.get_username(),
                ip_address=client_ip(request),
            )
        except IntakeError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        created = serializers.created_invitation(
            invitation, token, emailed=given.validated_data["email_link"]
        )
        return Response(
            serializers.InvitationSerializer(created).data, status=status.HTTP_201_CREATED
        )


class Schema(SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON with ?format=json). Public: it describes the API and
    holds no one's data. Its refusals are JSON, as every other endpoint's."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
