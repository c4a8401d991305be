"""Document collections, indexes and filters."""
