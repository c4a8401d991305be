"""The dialects: other systems' APIs, each in a folder of its own (DESIGN.md §1, §10)."""
