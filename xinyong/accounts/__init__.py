"""accounts: users, roles, region scopes, departments, login, second factor, API tokens."""
