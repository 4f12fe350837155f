-- 0007: a random secret per tenant, the key of the HMAC-SHA256 that fingerprints the password
-- of an idempotent command (docs/decisions.md §34). Made by the library (32 bytes from the
-- operating system, hex) the first time a keyed command carries a password, in that command's
-- transaction; never returned by any API.

CREATE TABLE tenant_secrets (
    tenant             TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    idempotency_secret TEXT NOT NULL
);
