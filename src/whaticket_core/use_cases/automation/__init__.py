"""Working hours and automatic handling: business hours and the away message, auto-close on inactivity,
auto-assignment. Every rule runs on the clock port, so tests drive time."""
