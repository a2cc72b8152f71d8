"""orders-api: create, read and cancel customer orders."""

__version__ = "1.4.2"
