from django.urls import path
from django.views.i18n import JavaScriptCatalog

from intake.views import (
    cases,
    fhir,
    invitations,
    languages,
    overview,
    patient,
    queue,
    records,
    staff_auth,
)

app_name = "intake"

urlpatterns = [
    path("", patient.home, name="home"),
    path("healthz", patient.healthz, name="healthz"),
    # The scripts' few words (static/js), in the page's language: gettext() in the browser.
    path("language/", languages.choose_language, name="choose_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
    path("start/", patient.start, name="start"),
    path("i/<str:token>/", patient.open_link, name="open_link"),
    path("intake/verify/", patient.verify, name="verify"),
    path("intake/", patient.resume, name="resume"),
    path("intake/welcome/", patient.welcome, name="welcome"),
    path("intake/step/<slug:slug>/", patient.step, name="step"),
    path("intake/step/<slug:slug>/autosave/", patient.autosave, name="autosave"),
    path("intake/review/", patient.review, name="review"),
    path("intake/support/", patient.support, name="support"),
    path("intake/done/", patient.done, name="done"),
    path("staff/", queue.queue, name="queue"),
    path("staff/home/", staff_auth.landing, name="landing"),
    path("staff/2fa/setup/", staff_auth.otp_setup, name="otp_setup"),
    path("staff/2fa/verify/", staff_auth.otp_verify, name="otp_verify"),
    path("staff/keepalive/", staff_auth.keepalive, name="keepalive"),
    path("staff/export.csv", queue.export_queue, name="export_queue"),
    path("staff/overview/", overview.clinic_overview, name="overview"),
    path("staff/cases/<int:pk>/", cases.case, name="case"),
    path("staff/cases/<int:pk>/status/", cases.case_status, name="case_status"),
    path("staff/cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("staff/cases/<int:pk>/decision/", cases.case_decision, name="case_decision"),
    path("staff/cases/<int:pk>/note/", cases.case_note, name="case_note"),
    path("staff/cases/<int:pk>/results/", cases.case_results, name="case_results"),
    path("staff/cases/<int:pk>/print/", cases.case_print, name="case_print"),
    path("staff/cases/<int:pk>/contacted/", queue.record_contact, name="record_contact"),
    path("staff/cases/<int:pk>/summary.pdf", cases.case_pdf, name="case_pdf"),
    path("staff/cases/<int:pk>/fhir.json", fhir.case_bundle, name="case_fhir"),
    path("staff/patients/<int:pk>/", cases.patient, name="patient"),
    path("staff/invitations/", invitations.invitations, name="invitations"),
    path(
        "staff/invitations/<int:pk>/revoke/",
        invitations.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "staff/invitations/<int:pk>/reissue/",
        invitations.reissue_invitation,
        name="reissue_invitation",
    ),
    path(
        "staff/invitations/<int:pk>/remind/",
        invitations.send_reminder,
        name="send_reminder",
    ),
    path("reminders/stop/<str:token>/", patient.stop_reminders, name="stop_reminders"),
    path("staff/patients/<int:pk>/export.json", records.export_json, name="export_patient_json"),
    path("staff/patients/<int:pk>/export.pdf", records.export_pdf, name="export_patient_pdf"),
    path("staff/patients/<int:pk>/erase/", records.erase, name="erase_patient"),
    path("staff/patients/<int:pk>/contact/", records.contact_details, name="patient_contact"),
    path("staff/retention/", records.retention, name="retention"),
]
