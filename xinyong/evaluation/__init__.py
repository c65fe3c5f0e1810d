"""信用评价: indicator systems scored set-based on DuckDB (or Spark), with history and grade changes."""
