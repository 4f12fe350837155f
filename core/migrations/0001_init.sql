-- 0001: tenants, the channel tree, users and roles, products, orders, draws, ledger.
-- Written in the common subset of SQLite and PostgreSQL: ids and timestamps are TEXT
-- (UUIDs; RFC 3339 UTC with microseconds, which sorts in time order), numbers BIGINT,
-- booleans BIGINT 0/1.

CREATE TABLE tenants (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    plan              TEXT NOT NULL,
    vendor            TEXT NOT NULL,
    minted            BIGINT NOT NULL CHECK (minted >= 0),
    next_order_number BIGINT NOT NULL CHECK (next_order_number >= 1),
    created_at        TEXT NOT NULL
);

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    tier       TEXT NOT NULL,
    parent     TEXT REFERENCES organizations (id),
    active     BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX organizations_by_parent ON organizations (tenant, parent);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant, email)
);

CREATE TABLE org_admins (
    tenant  TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    org     TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (tenant, user_id, org)
);

CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL REFERENCES tenants (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant, code)
);

CREATE TABLE orders (
    id                 TEXT PRIMARY KEY,
    tenant             TEXT NOT NULL REFERENCES tenants (id),
    number             BIGINT NOT NULL,
    product            TEXT NOT NULL REFERENCES products (id),
    purchase_order     TEXT,
    holder             TEXT NOT NULL REFERENCES organizations (id),
    source             TEXT REFERENCES organizations (id),
    requested_by       TEXT REFERENCES users (id),
    requested_at       TEXT NOT NULL,
    requested_quantity BIGINT NOT NULL,
    requester_comments TEXT,
    approved_by        TEXT REFERENCES users (id),
    approved_at        TEXT,
    approved_quantity  BIGINT NOT NULL,
    approval_comments  TEXT,
    status             TEXT NOT NULL,
    drawn              BIGINT NOT NULL,
    issued             BIGINT NOT NULL,
    available          BIGINT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (tenant, number),
    CHECK (drawn >= 0 AND issued >= 0 AND available >= 0),
    CHECK (status NOT IN ('active', 'depleted') OR approved_quantity = drawn + issued + available)
);
-- The inventory list (newest first) and the summary of a holder.
CREATE INDEX orders_by_holder ON orders (tenant, holder, number);
-- Draws: a holder's active orders of a product, oldest first.
CREATE INDEX orders_for_draw ON orders (tenant, holder, product, status, number);
-- Incoming requests of a source organization.
CREATE INDEX orders_by_source ON orders (tenant, source, status);

CREATE TABLE draws (
    tenant       TEXT NOT NULL REFERENCES tenants (id),
    order_id     TEXT NOT NULL REFERENCES orders (id),
    source_order TEXT NOT NULL REFERENCES orders (id),
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    drawn_at     TEXT NOT NULL,
    PRIMARY KEY (order_id, source_order)
);
CREATE INDEX draws_by_source ON draws (tenant, source_order, drawn_at);

CREATE TABLE ledger (
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor       TEXT,
    kind        TEXT NOT NULL,
    order_id    TEXT,
    org         TEXT,
    minted      BIGINT NOT NULL,
    movements   TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (tenant, seq)
);
