"""Users, sessions, API tokens, organisations, memberships and roles."""
