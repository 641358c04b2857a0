from django.urls import path

from intake.api import views

app_name = "api"

urlpatterns = [
    path("schema/", views.Schema.as_view(), name="schema"),
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case"),
    path("cases/<int:pk>/fhir/", views.CaseFhirBundle.as_view(), name="case_fhir"),
    path("questionnaire/", views.FhirQuestionnaire.as_view(), name="questionnaire"),
    path("invitations/", views.InvitationCreate.as_view(), name="invitations"),
]
