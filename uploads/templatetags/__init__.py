"""Template tags of the seller's admin (Django finds them in an installed app's ``templatetags``)."""
