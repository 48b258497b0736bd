"""For machines: the JSON API (/api/v1) and the HSDS API."""
