"""Webhook writes: the outbox (a delivery per status change) and delivery (attempts)."""
