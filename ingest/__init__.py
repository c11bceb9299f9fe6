"""Sources, parsing, chunking, entity and relation extraction, and entity resolution."""
