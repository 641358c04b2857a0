from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from intake.views.staff_auth import LOGIN_RATE

# Sign-in is rate limited per address on top of django-axes' lockout per user and address.
login = ratelimit(key="ip", rate=LOGIN_RATE, method="POST", block=True)(
    auth_views.LoginView.as_view()
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", login, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("intake.urls")),
]
