"""Customs-ready data: the buyer's situation, validated fields, name match, readiness and export.

``validation`` and ``transliteration`` are plain functions (no database); ``models``, ``services``,
``forms``, ``exports`` and ``admin`` build on them.
"""
