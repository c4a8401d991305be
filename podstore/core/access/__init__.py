"""The one permission check: scopes, levels, pod keys."""
