"""The JSON API for shops' own systems: views and urls (callers), services for API tokens."""
