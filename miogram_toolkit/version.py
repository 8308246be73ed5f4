"""The toolkit's version, in a leaf module so that any room can read it without the package root."""

__version__ = "0.1.0"
