"""Previews: renditions derived from file versions (image thumbnails)."""
