"""Seller-editable content kept in every customer language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from uploads.models import ConsentText, EmailTemplate, FaqEntry, GuidanceStep


@register(ConsentText)
class ConsentTextTranslation(TranslationOptions):
    fields = ("body",)
    required_languages = ("ru",)


@register(GuidanceStep)
class GuidanceStepTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("ru",)


@register(FaqEntry)
class FaqEntryTranslation(TranslationOptions):
    fields = ("question", "answer")
    required_languages = ("ru",)


@register(EmailTemplate)
class EmailTemplateTranslation(TranslationOptions):
    fields = ("subject", "body")
    required_languages = ("ru",)
