"""Orders and upload requests: creating them, their links, expiry and the seller's decisions (services), reads and counts (selectors, stats), the order file import."""
