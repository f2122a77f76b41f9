"""Query shaping of projects for the REST API (list and detail alike)."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from projects.models import Project


def projects_for_api() -> QuerySet:
    """Projects with their maintainers prefetched (embedded in every project)."""
    maintainers = get_user_model().objects.order_by("id")
    return Project.objects.prefetch_related(Prefetch("maintainers", queryset=maintainers))
