"""Signed webhooks: the outbox of deliveries, attempts with back-off, safe outbound HTTP, the delivery task."""
