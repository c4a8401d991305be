"""The APIs of the seed systems, one folder each; each only translates (DESIGN.md §1)."""
