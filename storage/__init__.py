"""Persistence: the Database interface, its aiosqlite implementation and the SQL migrations."""
