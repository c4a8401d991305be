"""Content-addressed, encrypted, deduplicated chunk storage over pluggable blob stores."""
