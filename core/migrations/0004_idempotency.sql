-- 0004: idempotent commands. A key, the fingerprint of the command that used it, and its
-- result (JSON), written in the command's transaction.

CREATE TABLE idempotency_keys (
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    key         TEXT NOT NULL,
    command     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant, key)
);
