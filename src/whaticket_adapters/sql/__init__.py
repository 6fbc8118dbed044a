"""PostgreSQL (asyncpg) and SQLite (aiosqlite) persistence: repositories, unit of work, query ports, migrations.

Import from :mod:`whaticket_adapters.sql.database`.
"""
