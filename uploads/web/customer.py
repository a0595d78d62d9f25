"""The customer's pages: open the link, consent and upload, review the fields, done.

The token is in the link's path only once: ``link_open`` trades it for a session and redirects to
token-free addresses, so it appears in no later request, page address, Referer or log line."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.security import client_ip
from uploads.audit import services as audit
from uploads.core import crypto, not_opened
from uploads.core import customs_rules as validation
from uploads.core.customs_rules import SITUATION_LABELS
from uploads.core.errors import ServiceError
from uploads.core.images import too_large
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.core.tokens import hash_token
from uploads.core.upload_handlers import TOO_LARGE_ATTRIBUTE
from uploads.customs.services import decisions as customs_decisions
from uploads.customs.services import readiness as customs_readiness
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.documents import tasks as document_tasks
from uploads.documents.photo_hints import document_photo_hints
from uploads.models import (
    AuditEvent,
    CustomsRecord,
    FaqEntry,
    GuidanceStep,
    PassportDocument,
    PhotoPolicy,
    UploadRequest,
)
from uploads.papers import services as papers_services
from uploads.requests import services as request_services
from uploads.web.customs_forms import CustomsFieldsForm, initial_fields
from uploads.web.feedback_form import feedback_context
from uploads.web.file_uploads import submitted_file
from uploads.web.forms import UploadForm
from uploads.web.preview import passport_preview_response
from uploads.web.ratelimit import customer_rate_limited, link_rate_limited, upload_rate_limited

SESSION_REQUEST_ID = "upload_request_id"


SESSION_TOKEN_HASH = "upload_token_hash"  # noqa: S105 - a session key name


View = Callable[..., HttpResponse]

# A response with this attribute set keeps its own Cache-Control (the review preview, cached by
# the customer's browser only); every other customer page is never cached.
PRIVATELY_CACHEABLE = "privately_cacheable"

# portal.js sends this header with the upload: it is told where to go next (204 and the address in
# ``X-Next``) instead of a redirect that XMLHttpRequest would follow, fetching the next page twice.
SCRIPTED_UPLOAD_HEADER = "X-Portal-Upload"
NEXT_HEADER = "X-Next"


# With JavaScript, the browser shrinks photos with a longer side to this before sending them: a
# phone's 12-megapixel photo becomes a quarter of the bytes and the MRZ still reads well (it
# needs about 2,000 px across the page).
DOWNSCALE_LONG_SIDE = 2560

# The upload page's address that shows the form to a customer who has already sent a passport.
REPLACE_PARAMETER = "replace"

# The upload form's button that asks to type the details instead of sending a photo.
TYPED_PARAMETER = "typed"


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: the static file (hashed and cached
    for a year in production), not a 404 page."""
    response = redirect(static("uploads/favicon.ico"), permanent=True)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def link_invalid(request: HttpRequest, *, token_in_address: bool = False) -> HttpResponse:
    # One answer for unknown, malformed and expired links: it tells nothing about other orders.
    # Under the token's address the page is served with "no-referrer", with which browsers post
    # forms with "Origin: null" and fail CSRF: the language switcher (a form) is left out there.
    response = render(
        request,
        "uploads/link_invalid.html",
        {"token_in_address": token_in_address},
        status=404,
    )
    add_never_cache_headers(response)
    return response


@never_cache
@require_GET
@link_rate_limited
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    upload_request = request_services.upload_request_by_token(token=token)
    if upload_request is None:
        response = link_invalid(request, token_in_address=True)
        # The address holds a token: nothing this page loads may carry it on in a Referer.
        response["Referrer-Policy"] = "no-referrer"
        return response
    request.session.cycle_key()
    request.session[SESSION_REQUEST_ID] = upload_request.pk
    request.session[SESSION_TOKEN_HASH] = hash_token(token)
    # A customer who has sent their passport comes back to see where it stands, not to start over.
    response = redirect("uploads:status" if _has_sent(upload_request) else "uploads:start")
    # This response's address holds the token; it has no page, so the strictest policy costs nothing.
    response["Referrer-Policy"] = "no-referrer"
    return response


def customer_request_required(view: View) -> View:
    """Load the customer's upload request from the session and speak the customer's language.

    The session is bound to the token it was opened with: a link replaced by the seller, or one
    that ran out, stops the session working too.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        request_id = request.session.get(SESSION_REQUEST_ID)
        token_hash = request.session.get(SESSION_TOKEN_HASH)
        upload_request = (
            UploadRequest.objects.select_related("order__shop")
            .filter(pk=request_id, token_hash=token_hash)
            .first()
            if request_id and token_hash
            else None
        )
        if upload_request is not None:
            request_services.upload_request_expire_if_due(upload_request=upload_request)
        if upload_request is None or (
            upload_request.is_link_expired
            and upload_request.status != UploadRequest.Status.ACCEPTED
        ):
            return link_invalid(request)
        # A language the customer picked with the switcher wins; otherwise the order's.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(upload_request.order.language)
            request.LANGUAGE_CODE = upload_request.order.language
        response = view(request, upload_request, *args, **kwargs)
        if not getattr(response, PRIVATELY_CACHEABLE, False):
            add_never_cache_headers(response)
        return response

    return wrapper


def _has_sent(upload_request: UploadRequest) -> bool:
    """Sent and not asked for again: the status page is where such a customer belongs."""
    return upload_request.status in (
        UploadRequest.Status.UPLOADED,
        UploadRequest.Status.ACCEPTED,
    ) and (document_selectors.document_pending(upload_request=upload_request) is None)


def _next_step(request: HttpRequest, name: str) -> HttpResponse:
    if request.headers.get(SCRIPTED_UPLOAD_HEADER):
        response = HttpResponse(status=204)
        response[NEXT_HEADER] = reverse(name)
        return response
    return redirect(name)


def page_context(upload_request: UploadRequest) -> dict[str, object]:
    return {
        "upload_request": upload_request,
        "order": upload_request.order,
        "shop": upload_request.order.shop,
        "retention_days": upload_request.order.shop.effective_retention_days,
        "max_megabytes": settings.PASSPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_bytes": settings.PASSPORT_MAX_UPLOAD_BYTES,
        "downscale_long_side": DOWNSCALE_LONG_SIDE,
        # The browser checks a chosen file with the server's own words before sending it.
        "too_large_message": too_large().message,
        "wrong_type_message": _(
            "This file type is not supported. Please send a photo (JPEG, PNG, HEIC) or a PDF."
        ),
    }


@require_http_methods(["GET", "POST"])
@customer_rate_limited
@upload_rate_limited
@customer_request_required
def upload_start(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    context = page_context(upload_request)
    context["current"] = document_selectors.document_current(upload_request=upload_request)
    context["pending"] = document_selectors.document_pending(upload_request=upload_request)
    if upload_request.status == UploadRequest.Status.ACCEPTED:
        return redirect("uploads:status")
    if (
        request.method == "GET"
        and _has_sent(upload_request)
        and REPLACE_PARAMETER not in request.GET
    ):
        # Opening the link again, or Back after sending: their status, not an empty form.
        # "Replace the photo" asks for the form with ?replace.
        return redirect("uploads:status")
    # The shop's consent in the page's language, as it reads now: the version the customer sees,
    # may download, and agrees to.
    consent_document = papers_services.consent_document_shown(
        shop=upload_request.order.shop,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    context["consent_document"] = consent_document
    context["guidance"] = GuidanceStep.objects.all()
    context["faq"] = FaqEntry.objects.all()
    policy = document_selectors.photo_policy_of(shop_id=upload_request.order.shop_id)
    context["photo_policy"] = policy.value
    status = 200
    if request.method == "POST":
        if policy == PhotoPolicy.NOT_COLLECTED and (
            request.FILES or getattr(request, TOO_LARGE_ATTRIBUTE, False)
        ):
            # A file posted to a shop that collects no photos is refused unread; nothing is
            # stored. (document_submit refuses it too.)
            form = UploadForm(request.POST, typed=True)
            form.is_valid()
            form.add_error(None, document_services.PHOTO_NOT_COLLECTED_MESSAGE)
        elif request.POST.get(TYPED_PARAMETER) or policy == PhotoPolicy.NOT_COLLECTED:
            form = UploadForm(request.POST, typed=True)
            if _typed_started(request, form, upload_request) is not None:
                return _next_step(request, "uploads:review")
        else:
            form = UploadForm(request.POST, request.FILES)
            document = submitted_file(
                request,
                form,
                lambda data: document_services.document_submit(
                    upload_request=upload_request,
                    data=data,
                    consent_document_id=form.cleaned_data["consent_document_id"],
                    client_ip=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                ),
            )
            if document is not None:
                document_tasks.read_document_mrz.enqueue(document_id=document.pk)
                return _next_step(request, "uploads:review")
        status = 400
    else:
        form = UploadForm(
            initial={"consent_document_id": consent_document.pk},
            typed=policy == PhotoPolicy.NOT_COLLECTED,
        )
    context["form"] = form
    return render(request, "uploads/start.html", context, status=status)


def _typed_started(
    request: HttpRequest, form: UploadForm, upload_request: UploadRequest
) -> PassportDocument | None:
    """The customer consented and will type the details (no file): their typed document, or None
    with the reason on the form (no consent, or the shop requires a photo)."""
    if not form.is_valid():
        return None
    try:
        return document_services.document_typed_start(
            upload_request=upload_request,
            consent_document_id=form.cleaned_data["consent_document_id"],
            client_ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ServiceError as error:
        form.add_error(None, error.message)
    return None


@require_http_methods(["GET", "POST"])
@customer_rate_limited
@customer_request_required
def upload_review(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    document = document_selectors.document_pending(upload_request=upload_request)
    if document is None or not upload_request.is_open_for_upload:
        return redirect("uploads:start")
    context = page_context(upload_request)
    context["document"] = document
    typed = document.source == PassportDocument.Source.TYPED
    context["typed"] = typed
    context["photo_policy"] = document_selectors.photo_policy_of(
        shop_id=upload_request.order.shop_id
    ).value
    if (
        document.mrz_status == PassportDocument.MrzStatus.PENDING
        and not document_selectors.document_reading_overdue(document=document)
    ):
        # A task worker is still reading it: the page refreshes itself. Past the timeout the
        # customer gets the empty form below and types the fields. A reading whose worker died
        # goes back to the queue while the customer waits (django-tasks-db never retries it).
        document_tasks.readings_resume(document_ids=[document.pk])
        return render(request, "uploads/reading.html", context)
    if document_selectors.document_open_error(document) is not None:
        return not_opened_page(request, upload_request, document)
    read_fields = document_selectors.document_fields(document=document)
    rules = customs_readiness.customs_rules(shop=upload_request.order.shop)
    mrz_found = document.mrz_status == PassportDocument.MrzStatus.FOUND
    context["mrz_found"] = mrz_found
    if not mrz_found and not typed and request.method == "GET":
        # Why it could not be read (too dark, blurred, glare, ...), measured on the photo itself.
        context["photo_hints"] = document_photo_hints(document=document)
    situation = _situation_chosen(request, read_fields, rules, mrz_found=mrz_found)
    if situation is None:
        # Nothing read says which document this is: the customer says it, nothing is guessed.
        context["situations"] = [(name, SITUATION_LABELS[name]) for name in rules.situations]
        return render(request, "uploads/review.html", context)
    form_options = {
        "situation": situation,
        "rules": rules,
        "read_fields": read_fields,
        "today": timezone.localdate(),
        "deadline": upload_request.order.deadline,
        "document_id": document.pk,
    }
    status = 200
    if request.method == "POST":
        form = CustomsFieldsForm(request.POST, **form_options)
        if not form.shows_document(document.pk):
            # Another tab uploaded a newer photo after this form was shown: its fields do not
            # belong to that photo. Nothing is stored; the newer photo is shown to check.
            form = CustomsFieldsForm(initial=initial_fields(read_fields, situation), **form_options)
            context["refusal"] = document_services.NEWER_UPLOAD_MESSAGE
            status = 409
        elif form.is_valid():
            try:
                record = customs_decisions.customs_document_confirm(
                    document=document, fields=form.customs_fields(), situation=situation
                )
            except crypto.DecryptionError:
                return not_opened_page(request, upload_request, document)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                if customs_readiness.PROBLEM_SECOND_DOCUMENT in record.problems:
                    return redirect("uploads:second_document")
                return redirect("uploads:done")
            status = 400
        else:
            status = 400
    else:
        form = CustomsFieldsForm(initial=initial_fields(read_fields, situation), **form_options)
    validity = document.field_validity or {}
    context["form"] = form
    context["situation"] = situation
    context["situations"] = [
        (name, SITUATION_LABELS[name]) for name in rules.situations if name != situation
    ]
    # Fields the reader filled but could not vouch for: the customer must look at them.
    context["fields_to_check"] = [
        name
        for name in PASSPORT_FIELDS
        if read_fields.get(name) and not validity.get(name if name != "series" else "number")
    ]
    return render(request, "uploads/review.html", context, status=status)


def _not_opened_record(
    error: crypto.DecryptionError,
    upload_request: UploadRequest,
    document: PassportDocument,
    *,
    where: str,
) -> None:
    audit.document_not_opened_record(
        error=error,
        where=where,
        upload_request=upload_request,
        document=document,
        via=AuditEvent.Via.LINK,
    )


def not_opened_page(
    request: HttpRequest,
    upload_request: UploadRequest,
    document: PassportDocument,
    error: crypto.DecryptionError | None = None,
) -> HttpResponse:
    """The customer's photo can no longer be opened: ask them to upload it again (never a 500;
    nothing of the photo is shown). Logged and audited with ids only."""
    error = error or document_selectors.document_open_error(document)
    if error is not None:
        _not_opened_record(error, upload_request, document, where="customer review")
    context = page_context(upload_request)
    typed = document.source == PassportDocument.Source.TYPED
    context["typed"] = typed
    context["not_opened"] = not_opened.customer_message(typed=typed)
    return render(request, "uploads/not_opened.html", context)


def _situation_chosen(
    request: HttpRequest, read_fields: dict[str, str], rules: validation.Rules, *, mrz_found: bool
) -> str | None:
    """The buyer's situation: as posted or picked (when the shop accepts it), else as the MRZ
    suggests; None when nothing was read and the customer has not chosen yet."""
    for chosen in (request.POST.get("situation"), request.GET.get("situation")):
        if chosen in rules.situations:
            return chosen
    if not mrz_found and len(rules.situations) > 1 and request.method == "GET":
        return None
    return customs_readiness.situation_infer(read_fields, rules)


@require_GET
@customer_rate_limited
@customer_request_required
def upload_review_image(
    request: HttpRequest, upload_request: UploadRequest, document_id: int
) -> HttpResponse:
    """A small copy of the customer's own pending upload, to compare with the fields.

    The address names the document, so the browser may keep the copy for the session: a new
    upload has a new address. The copy is made from the decrypted photo on each request and
    never stored."""
    document = document_selectors.document_pending(upload_request=upload_request)
    if document is None or document.pk != document_id or not document.blob_name:
        return link_invalid(request)
    try:
        response = passport_preview_response(document)
    except crypto.DecryptionError as error:
        _not_opened_record(error, upload_request, document, where="customer preview")
        # In place of the picture: the page around it says what to do.
        return HttpResponse(
            str(not_opened.CUSTOMER_MESSAGE), content_type="text/plain; charset=utf-8", status=410
        )
    setattr(response, PRIVATELY_CACHEABLE, True)
    return response


@require_GET
@customer_rate_limited
@customer_request_required
def upload_done(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    context = page_context(upload_request)
    context["current"] = document_selectors.document_current(upload_request=upload_request)
    if context["current"] is None:
        return redirect("uploads:start")
    record = CustomsRecord.objects.filter(upload_request=upload_request).first()
    context["second_document_missing"] = (
        record is not None and customs_readiness.PROBLEM_SECOND_DOCUMENT in record.problems
    )
    context.update(feedback_context(request, upload_request))
    return render(request, "uploads/done.html", context)
