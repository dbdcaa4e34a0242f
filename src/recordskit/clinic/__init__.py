"""A clinic's server: staff accounts and their sessions, families' intake links, the audit
trail, and how long intakes are kept. Everything is kept in the clinic's request log (its
PostgreSQL database; SQLite serves one computer and the tests)."""
