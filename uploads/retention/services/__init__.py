"""Erasure and retention (erasure), master-key rotation (key_rotation)."""
