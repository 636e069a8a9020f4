"""The sharing gateway under /gateway/v1/ (app key + HMAC signature, not user sessions).

Under gunicorn (smartgov.wsgi) these paths never reach Django: the thin WSGI path answers
them. This view serves the same handler to Django's own servers and to the test client.
"""

from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from smartgov.core.middleware import client_ip


@csrf_exempt
def gateway_view(request, rest=""):
    from django.http import HttpResponse

    from smartgov.sharing import gateway

    response = gateway.handle(
        gateway.GatewayRequest(
            method=request.method,
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
            body=request.body,
            meta=request.META,
            client_ip=client_ip(request),
            request_id=getattr(request, "request_id", "") or "",
        )
    )
    answer = HttpResponse(response.body, status=response.status)
    for name, value in response.headers:
        answer[name] = value
    return answer


urlpatterns = [re_path(r"^(?P<rest>.*)$", gateway_view, name="gateway")]
