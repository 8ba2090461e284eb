"""Account pages (being written)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def account_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def call_next(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def account_create(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def priority_settings(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def account_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def account_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def account_scores(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def account_override(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def contact_create(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def contact_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
