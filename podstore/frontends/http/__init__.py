"""What every HTTP front end shares: bodies, ranges, multipart, limits, auth."""
