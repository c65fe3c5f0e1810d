"""Settings, database, working days, codes, regions, masking and errors shared by every package."""
