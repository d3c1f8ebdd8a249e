"""Product features behind a plan: GitHub import. Not billing: billing only says who has Pro."""
