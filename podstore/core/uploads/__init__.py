"""Resumable uploads: sessions, chunk lists, append streams."""
