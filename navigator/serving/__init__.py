"""Serving the site with several worker processes: gunicorn's settings and each worker's warm-up."""
