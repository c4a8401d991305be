"""WebDAV's state in the core: locks and dead properties, in the metadata database so that
every node of a cluster sees the same ones (DESIGN.md §7)."""
