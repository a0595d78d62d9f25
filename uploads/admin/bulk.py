"""Bulk admin action on upload requests: extend the deadline (an intermediate form page).

Listed in ``UploadRequestAdmin.actions``; accept, reject with a reason and CSV export live in
``uploads/admin.py``. Every change goes through ``request_services.request_deadline_extend``.
"""

from datetime import date, timedelta

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uploads.models import UploadRequest
from uploads.requests import services as request_services


class ExtendDeadlineForm(forms.Form):
    new_deadline = forms.DateField(
        label=gettext_lazy("New deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    extra_days = forms.IntegerField(
        label=gettext_lazy("Or add this many days to each deadline"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=gettext_lazy("Counted from each order's current deadline, or from today."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        given = [cleaned.get("new_deadline"), cleaned.get("extra_days")]
        if sum(value is not None for value in given) != 1:
            raise forms.ValidationError(_("Give either a new date or a number of days."))
        new_deadline = cleaned.get("new_deadline")
        if new_deadline is not None and new_deadline < timezone.localdate():
            self.add_error("new_deadline", _("The new deadline is in the past."))
        return cleaned

    def deadline_for(self, upload_request: UploadRequest) -> date:
        if self.cleaned_data["new_deadline"] is not None:
            return self.cleaned_data["new_deadline"]
        start = max(upload_request.order.deadline or timezone.localdate(), timezone.localdate())
        return start + timedelta(days=self.cleaned_data["extra_days"])


@admin.action(
    description=gettext_lazy("Extend the deadline of the selected requests"),
    permissions=["change"],
)
def extend_deadline_selected(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[UploadRequest]
) -> HttpResponse | None:
    if "apply" in request.POST:
        form = ExtendDeadlineForm(request.POST)
        if form.is_valid():
            model_admin._apply_to_each(
                request,
                queryset,
                lambda upload_request: request_services.request_deadline_extend(
                    upload_request=upload_request,
                    actor=request.user,
                    deadline=form.deadline_for(upload_request),
                ),
                done_message=lambda count: (
                    ngettext("%(count)d deadline extended.", "%(count)d deadlines extended.", count)
                    % {"count": count}
                ),
            )
            return None
    else:
        form = ExtendDeadlineForm()
    return model_admin._action_form_page(
        request,
        queryset,
        title=_("Extend the deadline"),
        form=form,
        template="admin/uploads/uploadrequest/extend_deadline_selected.html",
    )
