"""信用记录: ingest from departments, validation, versions, display periods."""
