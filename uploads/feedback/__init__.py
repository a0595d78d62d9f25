"""The customer's rating of the upload."""
