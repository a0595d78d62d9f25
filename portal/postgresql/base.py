"""Django loads a database backend's ``base`` module: ``ENGINE = "portal.postgresql"``."""

from portal.postgresql import DatabaseWrapper

__all__ = ["DatabaseWrapper"]
