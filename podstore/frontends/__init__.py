"""Front ends: each folder translates one protocol into calls on the core."""
