"""Citizens' pages (no login). Being built: placeholders answer 404 until then."""

from django.http import Http404


def _not_yet(request, *args, **kwargs):
    raise Http404


petition_new = petition_thanks = petition_confirm_view = _not_yet
track = track_case = track_reopen = _not_yet
