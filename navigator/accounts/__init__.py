"""People and their rights: accounts, sign-in, access rules, the provider cabinet, uploads, moderation, mail."""
