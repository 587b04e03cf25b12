"""Pure rules and read models: no I/O, nothing of the rest of the project."""
