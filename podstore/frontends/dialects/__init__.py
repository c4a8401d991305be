"""The dialects: the APIs of other systems, each a front end of its own over the one core."""
