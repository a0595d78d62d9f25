"""The audit log: services append events; context keeps the client's address for them."""
