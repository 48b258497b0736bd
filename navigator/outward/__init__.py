"""What the site says about the catalogue to the outside: the OpenAPI document, JSON serializers, JSON-LD."""
