"""Every API method, registered by importing the modules that define them."""

from podstore.frontends.dialects.bitdust import (  # noqa: F401  (registers the methods)
    api_files,
    api_identity,
    api_social,
    api_storage,
    api_system,
    models,
)
from podstore.frontends.dialects.bitdust.registry import METHODS

__all__ = ["METHODS"]
