"""API routes of webhooks, mounted under the unversioned /api/ only."""

from patchwork_api.api.routing import slash_optional
from webhooks import views

api_urlpatterns = [
    *slash_optional("webhooks", views.WebhookList.as_view(), "api-webhook-list"),
    *slash_optional("webhooks/<int:pk>", views.WebhookDetail.as_view(), "api-webhook-detail"),
    *slash_optional(
        "webhooks/<int:pk>/deliveries",
        views.DeliveryList.as_view(),
        "api-webhook-deliveries",
    ),
]
