"""CDEK's API v2 as an API carrier: the client (OAuth token cache, one refresh on expiry) and the
carrier (find the order, PATCH the recipient's passport data, read the requests' states and
``GET /v2/passport``)."""
