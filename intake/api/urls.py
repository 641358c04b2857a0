from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from intake.api import views

app_name = "api"

urlpatterns = [
    # The schema is public: it describes the API and holds no one's data.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case"),
    path("cases/<int:pk>/fhir/", views.CaseFhirBundle.as_view(), name="case_fhir"),
    path("questionnaire/", views.FhirQuestionnaire.as_view(), name="questionnaire"),
    path("invitations/", views.InvitationCreate.as_view(), name="invitations"),
]
