"""The domain: accounts, keys, pods, the file tree, versions and every permission check."""
