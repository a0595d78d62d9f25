"""Seller-editable content kept in every customer language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from uploads.models import ConsentText


@register(ConsentText)
class ConsentTextTranslation(TranslationOptions):
    fields = ("body",)
    required_languages = ("ru",)
