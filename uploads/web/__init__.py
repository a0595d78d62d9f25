"""The customer's pages: views, forms, urls and rate limits. Callers only: they call services and selectors."""
