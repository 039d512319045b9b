from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "service_center/home.html")


def _not_yet(request, *args, **kwargs):
    raise Http404


queue = desk = record = case = case_action = request_decide = _not_yet
