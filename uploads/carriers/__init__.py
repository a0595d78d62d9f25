"""Handing a ready request's customs record to a carrier: the carrier interface (``base``), CDEK
by API (``cdek``), the seller's column mappings as file-based carriers (``files``), the sending
and reading-back services, and their tasks."""
