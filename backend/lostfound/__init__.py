"""Lost and found objects, matching and claims."""
