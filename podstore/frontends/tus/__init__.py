"""tus 1.0 resumable uploads over the core's append streams."""
