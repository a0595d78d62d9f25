"""Customs-ready data: the buyer's situation, validated fields, name match, readiness and export.

``services.decisions``: what a person does (the customer's confirmation with its situation, the
seller's confirmation of differing names, the second document, the export); ``services.readiness``:
"ready for customs", kept in step by ``uploads.events``; ``selectors``: reads of readiness;
``exports``: carrier mappings and the file. The rules themselves (situations, INN, dates) and the
name match are plain functions in ``uploads.core.customs_rules`` and ``uploads.core.transliteration``.
"""
