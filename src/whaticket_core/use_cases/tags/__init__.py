"""Tags: their catalogue (admins write it) and tagging tickets and contacts."""
