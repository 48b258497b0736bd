"""Serving the site with several worker processes: gunicorn's settings, each worker's warm-up, nginx in front."""
