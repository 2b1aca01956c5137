"""Storage: SQLAlchemy models (`models/`, one module per aggregate), repository functions (one module
per aggregate; they take a session and never commit), Alembic migrations, the clock rows are
stamped with, the exception tree (`errors`) and the file store (`filestore/`). Imports no other layer."""
