"""State a protocol keeps per login session."""
