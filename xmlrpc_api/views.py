"""The Django view that serves XML-RPC calls at /xmlrpc/."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xmlrpc_api.methods import dispatcher


@csrf_exempt
@require_POST
def xmlrpc(request: HttpRequest) -> HttpResponse:
    """Answer one XML-RPC call; faults are answered with 200, as XML-RPC requires."""
    answer = dispatcher.handle(request.body, authorization=request.META.get("HTTP_AUTHORIZATION"))
    return HttpResponse(answer, content_type="text/xml; charset=utf-8")
