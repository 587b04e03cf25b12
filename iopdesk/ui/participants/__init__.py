"""Finding participants: the searchable, paged participant list."""
