"""API routes of the people app, mounted under /api/ and /api/<version>/."""

from patchwork_api.api.routing import slash_optional
from people.views import PersonDetail, PersonList, UserDetail, UserList

api_urlpatterns = [
    *slash_optional("people", PersonList.as_view(), name="api-person-list"),
    *slash_optional("people/<int:pk>", PersonDetail.as_view(), name="api-person-detail"),
    *slash_optional("users", UserList.as_view(), name="api-user-list"),
    *slash_optional("users/<int:pk>", UserDetail.as_view(), name="api-user-detail"),
]
