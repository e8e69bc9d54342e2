"""The communications grid: forward planner -> fortnightly grid -> published posts."""
