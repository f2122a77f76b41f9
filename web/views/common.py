"""What every web page view shares: HTML error pages, the selected patches of a form,
and turning a service's refusal into a message."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from patchwork_api.api.service_errors import ServiceConflict
from patchwork_api.validation import is_id


def web_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET, HEAD and POST only; a missing object or a refused action gives an HTML page
    (404, 403) rather than the JSON the API answers."""

    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404 as error:
            context = {"heading": "Not found", "message": str(error) or "Not found."}
            return render(request, "web/error.html", context, status=404)
        except PermissionDenied as error:
            context = {"heading": "Not allowed", "message": str(error) or "You may not do this."}
            return render(request, "web/error.html", context, status=403)

    return wrapper


def selected_ids(request: HttpRequest, name: str = "patch_id") -> list[int]:
    """The ids ticked in a form's checkboxes (non-numbers left out), in page order."""
    ids = []
    for value in request.POST.getlist(name):
        if is_id(value, maximum=2**31 - 1):
            ids.append(int(value))
    return list(dict.fromkeys(ids))


def report_refusal(request: HttpRequest, error: Exception) -> None:
    """A service's PermissionDenied, ValidationError or conflict as an error message."""
    if isinstance(error, ValidationError):
        for text in error.messages:
            messages.error(request, text)
    elif isinstance(error, PermissionDenied | ServiceConflict):
        messages.error(request, str(error) or "You may not do this.")
    else:  # pragma: no cover - callers catch the three kinds above only
        raise error


REFUSALS = (PermissionDenied, ValidationError, ServiceConflict)


def back_to(request: HttpRequest) -> HttpResponseRedirect:
    """After a POST, the same page again by GET (with its query string)."""
    return HttpResponseRedirect(request.get_full_path())
