"""podstore: a self-hosted personal data server of encrypted pods."""

__version__ = "0.1.0"
