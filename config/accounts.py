"""Sign-in pages: login, logout and password change, every password check counted by django-axes.

Django's password change forms check the current password with `user.check_password`, which axes
never sees: whoever holds a session (an unlocked laptop, a stolen cookie) could guess the password
without limit. Here the current password goes through `authenticate()`, so a wrong one counts toward
the same lockout as a wrong login, and a locked account cannot change its password either.

Password reset by email is served once mail is configured: with the console backend anyone could
make the server print a valid reset link for any address into its log, so there it answers 404 and
admins set passwords (admin → Users). It is for password users only: a person who signs in through
the identity provider has no password here, and with SSO_ENFORCED only superusers do. A reset never
signs anyone in, so the next sign-in still goes through django-axes (docs/using/admin.md, "Login lockout").

With SSO_ENFORCED the password forms refuse everyone but superusers (the break-glass account), after
the password was checked, so axes counts wrong passwords as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth import authenticate, views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy

from config.audit.services import audit_record

CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"


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


def _sso_refusal(user) -> str | None:
    if settings.SSO_ENFORCED and not user.is_superuser:
        return "Password sign-in is off: sign in with your company's identity provider."
    return None


class _SsoEnforced:
    """The password was right, but with SSO_ENFORCED only superusers sign in with one."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if refusal := _sso_refusal(user):
            audit_record(event="sign_in.refused", target=user, data={"reason": "SSO is enforced"})
            raise ValidationError(refusal, code="sso_enforced")


class SsoAuthenticationForm(_SsoEnforced, AuthenticationForm):
    pass


class SsoAdminAuthenticationForm(_SsoEnforced, AdminAuthenticationForm):
    pass


def _sso_choices(request: HttpRequest) -> list[dict]:
    """The login page's "Sign in with …" buttons: every OpenID Connect and SAML app configured."""
    from allauth.socialaccount.adapter import get_adapter

    choices = []
    for app in get_adapter().list_apps(request):
        config = app.settings or {}
        if app.provider == "openid_connect":
            url = reverse("openid_connect_login", kwargs={"provider_id": app.provider_id or app.pk})
            idp = config.get("server_url", "")
        elif app.provider == "saml":
            url = reverse("saml_login", kwargs={"organization_slug": app.client_id})
            idp = (config.get("idp") or {}).get("sso_url") or (config.get("idp") or {}).get(
                "metadata_url", ""
            )
        else:
            continue
        parts = urlsplit(idp)
        choices.append(
            {
                "name": app.name,
                "url": url,
                "origin": f"{parts.scheme}://{parts.netloc}" if parts.netloc else "",
            }
        )
    return choices


class LoginView(views.LoginView):
    form_class = SsoAuthenticationForm

    def get_context_data(self, **kwargs):
        self.sso = _sso_choices(self.request)
        return {
            **super().get_context_data(**kwargs),
            "sso_choices": self.sso,
            "sso_enforced": settings.SSO_ENFORCED,
            "password_reset": mail_configured(),
        }

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # A sign-in button's form is answered with a redirect to the identity provider, which the
        # page's Content Security Policy (form-action 'self') would stop unless it names the provider.
        origins = sorted({choice["origin"] for choice in self.sso if choice["origin"]})
        if origins:
            response._csp_update = {"form-action": origins}
        return response


def mail_configured() -> bool:
    return settings.EMAIL_BACKEND != CONSOLE_MAIL


class PasswordUsersResetForm(PasswordResetForm):
    """Only people who sign in with a password here get a link (with SSO enforced: superusers)."""

    def get_users(self, email):
        return [user for user in super().get_users(email) if not _sso_refusal(user)]


def _mail_needed(view):
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not mail_configured():
            raise Http404("Password reset needs mail to be configured.")
        return view(request, *args, **kwargs)

    return wrapped


def inactive(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/inactive.html", status=403)


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # The names django-allauth's sign-in pages link to, on this product's own pages.
    path("login/", LoginView.as_view(), name="account_login"),
    path("logout/", LogoutView.as_view(), name="account_logout"),
    path("signup/", lambda request: redirect("login"), name="account_signup"),
    path("inactive/", inactive, name="account_inactive"),
    path(
        "password_reset/",
        _mail_needed(views.PasswordResetView.as_view(form_class=PasswordUsersResetForm)),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        _mail_needed(views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        _mail_needed(views.PasswordResetConfirmView.as_view(post_reset_login=False)),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/", _mail_needed(views.PasswordResetCompleteView.as_view()), name="password_reset_complete"
    ),
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
