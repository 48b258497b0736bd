"""Parents' pages: the home page, the search page with its map, program and organization pages."""
