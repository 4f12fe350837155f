-- 0002: licenses, license users and managers, bundles; order metadata and customer; product
-- policies; units retired by deletions. Same common SQL subset as 0001.

ALTER TABLE tenants ADD COLUMN retired BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN retired BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN policy TEXT NOT NULL
    DEFAULT '{"validity":{"kind":"perpetual"},"max_activations":1,"floating":null,"trial":false}';

ALTER TABLE orders ADD COLUMN reference TEXT;
ALTER TABLE orders ADD COLUMN campaign TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN download_id TEXT;
ALTER TABLE orders ADD COLUMN is_test BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN is_trial BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN customer TEXT;
ALTER TABLE orders ADD COLUMN bundle TEXT;

CREATE TABLE bundles (
    id     TEXT PRIMARY KEY,
    tenant TEXT NOT NULL REFERENCES tenants (id),
    name   TEXT NOT NULL,
    lines  TEXT NOT NULL
);

CREATE TABLE license_users (
    id            TEXT PRIMARY KEY,
    tenant        TEXT NOT NULL REFERENCES tenants (id),
    order_id      TEXT NOT NULL REFERENCES orders (id),
    email         TEXT NOT NULL,
    name          TEXT,
    password_hash TEXT,
    UNIQUE (tenant, order_id, email)
);

CREATE TABLE licenses (
    id           TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL REFERENCES tenants (id),
    order_id     TEXT NOT NULL REFERENCES orders (id),
    product      TEXT NOT NULL REFERENCES products (id),
    license_key  TEXT NOT NULL,
    is_code      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    license_user TEXT REFERENCES license_users (id),
    activations  TEXT NOT NULL,
    borrows      TEXT NOT NULL,
    policy       TEXT NOT NULL,
    trial        BIGINT NOT NULL,
    issued_at    TEXT NOT NULL,
    activated_at TEXT,
    expires_at   TEXT,
    UNIQUE (tenant, license_key)
);
-- An order's licenses, in a stable order, for listing and streaming export.
CREATE INDEX licenses_by_order ON licenses (tenant, order_id, id);

CREATE TABLE license_managers (
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    order_id    TEXT NOT NULL REFERENCES orders (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    permissions TEXT NOT NULL,
    PRIMARY KEY (order_id, user_id)
);
CREATE INDEX license_managers_by_user ON license_managers (tenant, user_id);

-- Draws into an order (returns and deletions walk them newest first).
CREATE INDEX draws_by_order ON draws (tenant, order_id, drawn_at);
