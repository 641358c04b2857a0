from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from intake.views.staff_auth import LOGIN_RATE

# Sign-in is rate limited per address on top of django-axes' lockout per user and address.
login = ratelimit(key="ip", rate=LOGIN_RATE, method="POST", block=True)(
    auth_views.LoginView.as_view()
)
# The admin's own sign-in page takes passwords too: the same limit.
admin_login = ratelimit(key="ip", rate=LOGIN_RATE, method="POST", block=True)(admin.site.login)

# No self-service password reset: a reset link by email would let anyone who reads a staff
# mailbox take over the password, so a clinic admin sets a new one in the admin instead.
urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/login/", login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("api/v1/", include("intake.api.urls")),
    path("", include("intake.urls")),
]
