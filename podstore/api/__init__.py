"""HTTP and WebSocket front ends: the native API, and later WebDAV, tus and the dialects."""
