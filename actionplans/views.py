"""Plan pages (being written)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def plan_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def my_plans(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def plan_from_issue(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def plan_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def plan_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def plan_status(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def step_toggle(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def escalation_acknowledge(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
