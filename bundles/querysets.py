"""Query shaping of bundles for the REST API, and who may see which bundle."""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch, Q

from series.querysets import PATCH_BODY_COLUMNS


class BundleQuerySet(models.QuerySet):
    def visible_to(self, user) -> BundleQuerySet:
        """Public bundles, and the user's own private ones (anonymous: public only)."""
        if user is not None and user.is_authenticated:
            return self.filter(Q(public=True) | Q(owner=user))
        return self.filter(public=True)

    def for_api(self) -> BundleQuerySet:
        """Bundles with owner, project and their patches ordered by patch date (as
        Patchwork's API lists them; the mbox keeps the bundle's order).

        The patches come from one prefetch of the membership rows (``api_memberships``),
        whatever the number of bundles.
        """
        from bundles.models import BundlePatch

        memberships = (
            BundlePatch.objects.select_related("patch__project")
            .defer(*(f"patch__{column}" for column in PATCH_BODY_COLUMNS))
            .order_by("patch__date", "patch_id")
        )
        return self.select_related("owner", "project").prefetch_related(
            Prefetch("bundlepatch_set", queryset=memberships, to_attr="api_memberships")
        )
