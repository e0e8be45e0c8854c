"""Users: customers, sellers and admins."""
