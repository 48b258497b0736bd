"""Municipal staff and administrators: coverage, moderation and the programs of a municipality, accounts."""
