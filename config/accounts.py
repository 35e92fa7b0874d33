"""Sign-in pages: login, logout and password change, every password check counted by django-axes.

Django's password change forms check the current password with `user.check_password`, which axes
never sees: whoever holds a session (an unlocked laptop, a stolen cookie) could guess the password
without limit. Here the current password goes through `authenticate()`, so a wrong one counts toward
the same lockout as a wrong login, and a locked account cannot change its password either.

Password reset is not served: it needs a real mail backend, and with the console backend anyone
could make the server print a valid reset link for any address into its log. Admins set passwords
(admin → Users); README "Login lockout".
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate, views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse, reverse_lazy


class _CountedOldPassword:
    """Checks the current password through the authentication backends (and so through axes)."""

    def __init__(self, *args, request: HttpRequest, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class CountedPasswordChangeForm(_CountedOldPassword, PasswordChangeForm):
    pass


class CountedAdminPasswordChangeForm(_CountedOldPassword, AdminPasswordChangeForm):
    pass


class CountedPasswordChangeView(views.PasswordChangeView):
    form_class = CountedPasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


class LogoutView(views.LogoutView):
    """Log out, and say so on the login page it lands on (a shared laptop's next user sees it too)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, "You are logged out. Log in again below, or close this window.")
        return response


def admin_password_change(request: HttpRequest) -> HttpResponse:
    """The admin's own password change page (as AdminSite.password_change), with the counted form."""
    request.current_app = admin.site.name
    return CountedPasswordChangeView.as_view(
        form_class=CountedAdminPasswordChangeForm,
        success_url=reverse("admin:password_change_done"),
        extra_context=admin.site.each_context(request),
    )(request)


urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # The portal's own pages (the admin's templates of the same name draw the admin's header).
    path(
        "password_change/",
        CountedPasswordChangeView.as_view(
            success_url=reverse_lazy("password_change_done"), template_name="accounts/password_change.html"
        ),
        name="password_change",
    ),
    path(
        "password_change/done/",
        views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
