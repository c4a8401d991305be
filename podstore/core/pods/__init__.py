"""Pods and the containers (KV tables, collections) they hold."""
