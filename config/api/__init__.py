"""API plumbing both apps use: documented errors, the JSON parser, write permissions."""
