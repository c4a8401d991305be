"""The composition root: one Core, every enabled listener."""
