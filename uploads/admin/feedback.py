"""The customers' ratings and comments in the seller's admin: a read-only list scoped to the
seller's shops, and the rating as a column and a filter on the upload requests."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from uploads.models import Feedback, UploadRequest


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


@admin.display(description=gettext_lazy("rating"), ordering="feedback__rating")
def feedback_rating(obj: UploadRequest) -> str:
    """The upload requests list's column (needs ``feedback`` in list_select_related)."""
    try:
        return stars(obj.feedback.rating)
    except Feedback.DoesNotExist:
        return "—"


class RatingFilter(admin.SimpleListFilter):
    title = gettext_lazy("customer's rating")
    parameter_name = "rating"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            *((str(value), label) for value, label in Feedback.Rating.choices),
            ("none", gettext_lazy("Not rated")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "none":
            return queryset.filter(feedback__isnull=True)
        if value in {str(rating) for rating in Feedback.Rating.values}:
            return queryset.filter(feedback__rating=int(value))
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read only: the customer's words are not edited, only read to learn where they struggle."""

    list_display = [
        "created_at",
        "order_number",
        "shop_name",
        "rating_stars",
        "short_comment",
        "language",
    ]
    list_filter = ["rating", "language"]
    search_fields = ["upload_request__order__number", "comment"]
    list_select_related = ["upload_request__order__shop"]
    fields = ["order_number", "shop_name", "rating_stars", "comment", "language", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        # The same scoping as admin.ShopScopedAdmin (not imported: admin.py imports this module).
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(upload_request__order__shop__members=request.user).distinct()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(
        description=gettext_lazy("order number"), ordering="upload_request__order__number"
    )
    def order_number(self, obj: Feedback) -> str:
        return obj.upload_request.order.number

    @admin.display(description=gettext_lazy("shop"))
    def shop_name(self, obj: Feedback) -> str:
        return obj.upload_request.order.shop.name

    @admin.display(description=gettext_lazy("rating"), ordering="rating")
    def rating_stars(self, obj: Feedback) -> str:
        return f"{stars(obj.rating)} {obj.rating}/5"

    @admin.display(description=gettext_lazy("comment"))
    def short_comment(self, obj: Feedback) -> str:
        return Truncator(obj.comment).chars(80)
