from __future__ import annotations

from allauth.socialaccount import urls as socialaccount_urls
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import accounts

# The sign-in outcomes django-allauth shows (cancelled, failed, a name to choose), without its account list.
sso_pages = [p for p in socialaccount_urls.urlpatterns if p.name != "socialaccount_connections"]
admin.site.login_form = accounts.SsoAdminAuthenticationForm
admin.site.site_header = "Enablement tracker administration"
admin.site.site_title = "Enablement tracker"
admin.site.index_title = "Catalogue, deals and people"

urlpatterns = [
    # Before the admin's own: the same page with the current password counted toward the lockout.
    path("admin/password_change/", admin.site.admin_view(accounts.admin_password_change)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("scim/v2/", include("django_scim.urls", namespace="scim")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP refuses inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("accounts/", include(accounts.urlpatterns)),
    # Single sign-on (django-allauth): the OpenID Connect and SAML flows, none of its password pages.
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("accounts/", include("allauth.socialaccount.providers.saml.urls")),
    path("accounts/social/", include(sso_pages)),
    path("analytics/", include("enablement.analytics.urls")),
    path("", include("enablement.portal.urls")),
    path("", include("assets.urls")),
]
# No route serves MEDIA_ROOT, in debug either: uploads are reached only through views that check who
# may see them (assets.files decides how), and import uploads are never served at all.

handler400 = "config.input_hygiene.bad_request"
handler403 = "config.error_pages.permission_denied"
handler404 = "config.error_pages.not_found"
handler500 = "config.error_pages.server_error"
