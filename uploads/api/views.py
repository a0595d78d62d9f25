"""The JSON API for sellers' own systems (``/api/v1/``): create upload requests, read their status.

Bearer tokens (``uploads.api.services``), one shop per token: a request of another shop is "not
found", whatever its id. No session and no CSRF (nothing here reads cookies). Errors are JSON
``{"error": {"code": ..., "message": ..., "fields": {...}}}`` with the matching HTTP status. Only
statuses go out: never a passport field or image. Messages are in English: they are read by
programmers, not by customers.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt

from uploads.api.services import api_token_authenticate
from uploads.audit import services as audit
from uploads.carriers import services as carrier_services
from uploads.core import crypto
from uploads.core.errors import ServiceError
from uploads.documents import selectors as document_selectors
from uploads.models import ApiToken, CarrierOrder, Order, UploadRequest
from uploads.requests import links
from uploads.requests import services as request_services

logger = logging.getLogger(__name__)

_MAX_BODY_BYTES = 64 * 1024
View = Callable[..., JsonResponse]


def error(status: int, code: str, message: str, **extra: object) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_view(*methods: str) -> Callable[[View], View]:
    """Token authentication, allowed methods, English messages and no caching for an API view."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
            with override("en"):
                if request.method not in methods:
                    response = error(405, "method_not_allowed", "Method not allowed.")
                    response["Allow"] = ", ".join(methods)
                    return response
                api_token = _authenticate(request)
                if api_token is None:
                    return error(401, "unauthorized", "A valid API token is required.")
                response = view(request, api_token, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response

        return wrapper

    return decorate


def _authenticate(request: HttpRequest) -> ApiToken | None:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return api_token_authenticate(token=token.strip())


# --- the views --------------------------------------------------------------------------------


@api_view("GET", "POST")
def requests_collection(request: HttpRequest, api_token: ApiToken) -> JsonResponse:
    if request.method == "POST":
        return _create(request, api_token)
    return _list(request, api_token)


@api_view("GET")
def request_detail(request: HttpRequest, api_token: ApiToken, pk: int) -> JsonResponse:
    upload_request = (
        _shop_requests(api_token).filter(pk=pk).first()
    )  # another shop's request is simply not found
    if upload_request is None:
        return error(404, "not_found", "No such upload request.")
    return JsonResponse(_represented(api_token, [upload_request])[0])


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    return error(404, "not_found", "No such API endpoint.")


def _shop_requests(api_token: ApiToken):  # type: ignore[no-untyped-def]
    return (
        UploadRequest.objects.select_related("order", "carrier_order")
        .filter(order__shop_id=api_token.shop_id)
        .annotate(passport_source=document_selectors.document_current_source())
    )


class CreateRequestForm(forms.Form):
    order_number = forms.CharField(max_length=64)
    customer_name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=32, required=False)
    language = forms.ChoiceField(choices=[("", ""), *settings.LANGUAGES], required=False)
    deadline = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    # CDEK's own number of the order, when the shop's system knows it already.
    cdek_number = forms.CharField(max_length=64, required=False)

    def clean_cdek_number(self) -> str:
        cdek_number = self.cleaned_data["cdek_number"].strip()
        if not carrier_services.cdek_number_valid(cdek_number):
            raise forms.ValidationError(str(carrier_services.CDEK_NUMBER_MESSAGE))
        return cdek_number

    def clean_deadline(self):  # type: ignore[no-untyped-def]
        deadline = self.cleaned_data["deadline"]
        if deadline is not None and deadline < timezone.localdate():
            raise forms.ValidationError("The deadline is in the past.")
        return deadline

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            raise forms.ValidationError("An email address or a phone number is needed.")
        return cleaned


def _create(request: HttpRequest, api_token: ApiToken) -> JsonResponse:
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > _MAX_BODY_BYTES:
        return error(413, "too_large", "The request body is too large.")
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(payload, dict):
        return error(400, "invalid_json", "The body must be a JSON object.")
    non_scalar = [key for key, value in payload.items() if isinstance(value, dict | list)]
    if non_scalar:
        return error(
            400,
            "invalid",
            "Fields must be strings.",
            fields={key: ["Must be a string."] for key in non_scalar},
        )
    form = CreateRequestForm(
        {key: "" if value is None else str(value) for key, value in payload.items()}
    )
    if not form.is_valid():
        fields = {
            key: [item["message"] for item in items]
            for key, items in form.errors.get_json_data().items()
        }
        return error(400, "invalid", "Some fields are not valid.", fields=fields)
    data = form.cleaned_data
    existing = _shop_requests(api_token).filter(order__number=data["order_number"]).first()
    if existing is not None:
        return error(409, "conflict", "The shop already has this order number.", id=existing.pk)
    try:
        link = request_services.order_create(
            shop_id=api_token.shop_id,
            number=data["order_number"],
            customer_name=data["customer_name"],
            email=data["email"],
            phone=data["phone"],
            language=data["language"],
            deadline=data["deadline"],
            cdek_number=data["cdek_number"],
        )
    except IntegrityError:  # created by a concurrent call between the check and the insert
        return error(409, "conflict", "The shop already has this order number.")
    except ServiceError as refusal:  # the shop's operator details are not filled in yet
        return error(409, "operator_details_missing", str(refusal.message))
    return JsonResponse(_represented(api_token, [link.upload_request])[0], status=201)


def _list(request: HttpRequest, api_token: ApiToken) -> JsonResponse:
    queryset = _shop_requests(api_token).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status:
        if status not in UploadRequest.Status.values:
            return error(
                400,
                "invalid",
                "Unknown status.",
                fields={"status": [f"One of: {', '.join(UploadRequest.Status.values)}."]},
            )
        queryset = queryset.filter(status=status)
    if request.GET.get("order_number"):
        queryset = queryset.filter(order__number=request.GET["order_number"])
    try:
        page_number = int(request.GET.get("page", "1"))
        page_size = int(request.GET.get("page_size", "50"))
    except ValueError:
        return error(400, "invalid", "page and page_size must be whole numbers.")
    if page_number < 1 or not 1 <= page_size <= settings.API_PAGE_SIZE_MAX:
        return error(
            400,
            "invalid",
            f"page starts at 1; page_size is between 1 and {settings.API_PAGE_SIZE_MAX}.",
        )
    paginator = Paginator(queryset, page_size)
    results = (
        list(paginator.page(page_number).object_list) if page_number <= paginator.num_pages else []
    )
    has_next = page_number < paginator.num_pages
    next_url = None
    if has_next:
        query = request.GET.copy()
        query["page"] = str(page_number + 1)
        next_url = f"{settings.SITE_URL}{request.path}?{query.urlencode()}"
    return JsonResponse(
        {
            "count": paginator.count,
            "page": page_number,
            "page_size": page_size,
            "next": next_url,
            "results": _represented(api_token, results),
        }
    )


def _represented(api_token: ApiToken, upload_requests: list[UploadRequest]) -> list[dict]:
    """The requests as JSON; their links only for a token with the links scope, each read
    audited with the token as the one who read it."""
    if not api_token.reads_links:
        return [_represent(upload_request, link=None) for upload_request in upload_requests]
    open_requests = [each for each in upload_requests if each.is_open_for_upload]
    audit.links_read_record(upload_requests=open_requests, api_token=api_token)
    return [
        _represent(
            upload_request,
            link=_link_url(upload_request) if upload_request in open_requests else None,
        )
        for upload_request in upload_requests
    ]


def _link_url(upload_request: UploadRequest) -> str | None:
    """The request's link, or None when its sealed token no longer opens here (a master key
    not loaded, damaged data): the list still answers; a new link can be issued in admin."""
    try:
        return links.upload_link_current(upload_request=upload_request).url
    except crypto.DecryptionError as error:
        logger.warning(
            "API: the link of request %s does not open (%s)",
            upload_request.pk,
            type(error).__name__,
        )
        return None


def _represent(upload_request: UploadRequest, *, link: str | None) -> dict:
    order: Order = upload_request.order
    return {
        "id": upload_request.pk,
        "order_number": order.number,
        "status": upload_request.status,
        "link": link,
        "deadline": order.deadline.isoformat() if order.deadline else None,
        "expires_at": _iso(upload_request.expires_at),
        "created_at": _iso(upload_request.created_at),
        "uploaded_at": _iso(upload_request.uploaded_at),
        "decided_at": _iso(upload_request.decided_at),
        "rejection_code": upload_request.rejection_code or None,
        "rejection_reason": upload_request.rejection_reason or None,
        "cdek_number": _cdek_number(upload_request),
        # How the current passport's details came: "photo" (read from a photo) or "typed" (by
        # the customer, without a photo); null without a confirmed passport.
        "passport_source": getattr(upload_request, "passport_source", None),
    }


def _cdek_number(upload_request: UploadRequest) -> str | None:
    try:
        return upload_request.carrier_order.cdek_number or None
    except CarrierOrder.DoesNotExist:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
