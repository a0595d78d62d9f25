"""Passport documents: the customer's upload, its MRZ reading and confirmation (services), reads (selectors), the reading task, the fields form and the image response."""
