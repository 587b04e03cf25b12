"""Storage: typed SQLAlchemy models, the engine factory, migrations, backup and checks."""
