"""Messages, contacts, events and the audit log."""
