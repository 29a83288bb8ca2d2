from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def hello(request):
    return HttpResponse("hello, world")


urlpatterns = [path("bench/hello/", hello), *portal_urlpatterns]
