"""Reports: how fast customers are answered and helped, and how they rate it."""
