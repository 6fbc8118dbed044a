"""Steps shared across areas: role guards, loading a visible ticket and its events, retrying a transaction after a
conflict, explaining a conflict as a domain error, reading a setting, and the UNSET marker of partial updates."""
