"""Root URL configuration: admin, API (every version), downloads, XML-RPC and web pages."""

from django.contrib import admin
from django.urls import include, path, re_path

from bundles.urls import api_urlpatterns as bundle_api
from covers.urls import api_urlpatterns as cover_api
from events.urls import api_urlpatterns as event_api
from patches.urls import api_urlpatterns as patch_api
from patchwork_api.api.extensions import extensions_view
from patchwork_api.api.versions import VERSION_URL_PATTERN
from patchwork_api.api.views import IndexView
from people.urls import api_urlpatterns as people_api
from projects.urls import api_urlpatterns as project_api
from series.urls import api_urlpatterns as series_api
from triage.urls import api_urlpatterns as triage_api
from webhooks.urls import api_urlpatterns as webhook_api

# The admin is registered here rather than when Django starts (SimpleAdminConfig in
# settings): commands such as parsemail never load the admin modules.
admin.autodiscover()

api_urlpatterns = [
    path("", IndexView.as_view(), name="api-index"),
    *project_api,
    *people_api,
    *patch_api,
    *cover_api,
    *series_api,
    *bundle_api,
    *event_api,
    *triage_api,
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    # Extensions beyond Patchwork: on the unversioned /api/ only (README "REST API
    # extensions"), described by /api/extensions.yaml.
    path("api/extensions.yaml", extensions_view, name="api-extensions-document"),
    path("api/", include(webhook_api)),
    re_path(rf"^api/(?:(?P<version>{VERSION_URL_PATTERN})/)?", include(api_urlpatterns)),
    path("xmlrpc/", include("xmlrpc_api.urls")),
    path("", include("downloads.urls")),
    path("", include("web.urls")),
]

handler404 = "patchwork_api.api.errors.not_found"
handler500 = "patchwork_api.api.errors.server_error"
handler400 = "patchwork_api.api.errors.bad_request"
handler403 = "patchwork_api.api.errors.permission_denied"
