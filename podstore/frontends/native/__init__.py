"""The native REST API (OpenAPI, problem+json, the express lane)."""
