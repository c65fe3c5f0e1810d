"""审计日志: the append-only, hash-chained log of every write and every read of personal data."""
