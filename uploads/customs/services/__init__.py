"""Customs writes: decisions made by a person, and readiness kept in step by uploads.events."""
