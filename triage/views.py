"""Write methods the unversioned ``/api/`` adds to Patchwork's patch list and series.

``PATCH /api/series/<id>/`` changes every patch of a series, ``PATCH /api/patches/`` the
patches named by ``ids``. ``/api/<version>/`` answers them 405 as Patchwork does.
"""

from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from patches.filters import is_unversioned
from patches.models import Patch
from patches.serializers import CheckSerializer, PatchListSerializer
from patches.views import PatchList
from patchwork_api.api.service_errors import service_errors
from search.filters import ranked
from series.models import Series
from series.views import SeriesDetail
from triage.checks import create_series_checks, patch_summary, series_summary
from triage.serializers import BulkTriageSerializer, TriageSerializer
from triage.services import update_patches_by_id, update_series


class UnversionedMethodsMixin:
    """HTTP methods served on the unversioned ``/api/`` only (405 and left out of
    ``Allow`` on ``/api/<version>/``)."""

    unversioned_methods: tuple[str, ...] = ()

    @property
    def allowed_methods(self) -> list[str]:
        methods = super().allowed_methods
        if is_unversioned(getattr(self, "request", None)):
            return methods
        return [method for method in methods if method.lower() not in self.unversioned_methods]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # DRF fills Allow in before the version is known
        self.headers["Allow"] = ", ".join(self.allowed_methods)

    def refuse_if_versioned(self, request: Request) -> None:
        """405 (DRF's MethodNotAllowed) on ``/api/<version>/``."""
        if not is_unversioned(request):
            self.http_method_not_allowed(request)


class TriagePatchList(UnversionedMethodsMixin, PatchList):
    """PATCH changes state, delegate and/or archived of the patches in ``ids``, all or
    nothing (unversioned API only)."""

    # OPTIONS names and describes the view as Patchwork's patch list
    name = "Patch List"
    description = PatchList.__doc__
    unversioned_methods = ("patch",)

    def filter_queryset(self, queryset):
        # ``search`` (unversioned only) ranks best matches first unless ``order`` is given
        return ranked(super().filter_queryset(queryset), self.request.query_params)

    def patch(self, request: Request, *args, **kwargs) -> Response:
        self.refuse_if_versioned(request)
        body = BulkTriageSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        ids = changes.pop("ids")
        with service_errors():
            update_patches_by_id(ids, actor=request.user, **changes)
        return Response(self._patches(ids))

    def _patches(self, ids: list[int]) -> list[dict]:
        patches = self.get_queryset().filter(pk__in=ids).order_by("id")
        return PatchListSerializer(patches, many=True, context=self.get_serializer_context()).data


class TriageSeriesDetail(UnversionedMethodsMixin, SeriesDetail):
    """PATCH changes state, delegate and/or archived of every patch of the series
    (unversioned API only)."""

    # OPTIONS names and describes the view as Patchwork's series detail
    name = "Series Detail"
    description = SeriesDetail.__doc__
    unversioned_methods = ("patch",)

    def patch(self, request: Request, *args, **kwargs) -> Response:
        self.refuse_if_versioned(request)
        series = self.get_object()
        body = TriageSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            update_series(series, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_object()).data)


class UnversionedOnlyMixin:
    """A route of the unversioned ``/api/`` only: 404 on ``/api/<version>/`` (Patchwork
    has no such route)."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not is_unversioned(request):
            raise exceptions.NotFound()


class SeriesCheckCreate(UnversionedOnlyMixin, GenericAPIView):
    """
    post:
    Record a check (CI result) on every patch of the series, all or nothing; answers the
    created checks.
    """

    serializer_class = CheckSerializer
    filter_backends = []
    queryset = Series.objects.all()

    def post(self, request: Request, *args, **kwargs) -> Response:
        series = self.get_object()
        if not request.user.is_authenticated:
            self.permission_denied(request)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            checks = create_series_checks(series, user=request.user, **body.validated_data)
        data = self.get_serializer(checks, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)


class PatchChecksSummary(UnversionedOnlyMixin, GenericAPIView):
    """
    get:
    The latest check of each context of a patch and their combined (worst) state.
    """

    filter_backends = []
    queryset = Patch.objects.defer("content", "diff", "headers")
    lookup_url_kwarg = "patch_id"

    def get(self, request: Request, *args, **kwargs) -> Response:
        return Response(patch_summary(self.get_object()))


class SeriesChecksSummary(UnversionedOnlyMixin, GenericAPIView):
    """
    get:
    Per context, the worst latest state over the series' patches and the count of patches
    in each state; per patch, its latest state per context.
    """

    filter_backends = []
    queryset = Series.objects.all()

    def get(self, request: Request, *args, **kwargs) -> Response:
        return Response(series_summary(self.get_object()))
