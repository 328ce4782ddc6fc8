"""Lost and found: declarations on both sides, candidates with their reasons, claims and handovers."""
