"""What every audience's pages share: site setup, error pages, ETags, health checks, the low-vision
settings, sign-in, and the search answer bound to the request."""
