"""Files, folders, versions, chunk references, quota."""
