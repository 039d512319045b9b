"""Open311 GeoReport v2 at /open311/v2/: the standard interface other systems use to read
petitions and, with an API key, to file them. docs/open311.md is the client's guide."""
