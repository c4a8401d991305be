"""Users, sessions, passwords, keys."""
