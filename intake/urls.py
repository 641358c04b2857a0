from django.urls import path

from intake.views import fhir, overview, patient, practitioner, records, staff_auth

app_name = "intake"

urlpatterns = [
    path("", patient.home, name="home"),
    path("healthz", patient.healthz, name="healthz"),
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
    path("staff/", practitioner.queue, name="queue"),
    path("staff/home/", staff_auth.landing, name="landing"),
    path("staff/2fa/setup/", staff_auth.otp_setup, name="otp_setup"),
    path("staff/2fa/verify/", staff_auth.otp_verify, name="otp_verify"),
    path("staff/keepalive/", staff_auth.keepalive, name="keepalive"),
    path("staff/export.csv", practitioner.export_queue, name="export_queue"),
    path("staff/overview/", overview.clinic_overview, name="overview"),
    path("staff/cases/<int:pk>/", practitioner.case, name="case"),
    path("staff/cases/<int:pk>/status/", practitioner.case_status, name="case_status"),
    path("staff/cases/<int:pk>/assign/", practitioner.case_assign, name="case_assign"),
    path("staff/cases/<int:pk>/decision/", practitioner.case_decision, name="case_decision"),
    path("staff/cases/<int:pk>/note/", practitioner.case_note, name="case_note"),
    path("staff/cases/<int:pk>/results/", practitioner.case_results, name="case_results"),
    path("staff/cases/<int:pk>/print/", practitioner.case_print, name="case_print"),
    path("staff/cases/<int:pk>/contacted/", practitioner.record_contact, name="record_contact"),
    path("staff/cases/<int:pk>/summary.pdf", practitioner.case_pdf, name="case_pdf"),
    path("staff/cases/<int:pk>/fhir.json", fhir.case_bundle, name="case_fhir"),
    path("staff/patients/<int:pk>/", practitioner.patient, name="patient"),
    path("staff/invitations/", practitioner.invitations, name="invitations"),
    path(
        "staff/invitations/<int:pk>/revoke/",
        practitioner.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "staff/invitations/<int:pk>/reissue/",
        practitioner.reissue_invitation,
        name="reissue_invitation",
    ),
    path(
        "staff/invitations/<int:pk>/remind/",
        practitioner.send_reminder,
        name="send_reminder",
    ),
    path("reminders/stop/<str:token>/", patient.stop_reminders, name="stop_reminders"),
    path("staff/patients/<int:pk>/export.json", records.export_json, name="export_patient_json"),
    path("staff/patients/<int:pk>/export.pdf", records.export_pdf, name="export_patient_pdf"),
    path("staff/patients/<int:pk>/erase/", records.erase, name="erase_patient"),
    path("staff/retention/", records.retention, name="retention"),
]
