"""OGC API – Features, Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0): collections, documents and thin views."""
