-- 0016: the ledger keyed by one integer on SQLite (docs/decisions.md §65). SQLite only: a
-- PostgreSQL store records this version without running it and runs 0017 instead.
--
-- A rowid table with a key of its own is two b-trees, so every ledger entry wrote a page of
-- each: the rows, and the `(tenant, seq)` key's index. Each tenant now holds a store-wide
-- number, `ledger_base` (1 to 2^23 - 1), and an entry's rowid is `ledger_base * 2^40 + seq`:
-- a tenant's entries are one range of rowids, in order, and the separate index is gone. The
-- library computes the key in the statement that inserts the entry (from the tenant's row);
-- the CHECKs refuse a key that does not hold its seq, or a seq of 2^40 or more.

ALTER TABLE tenants ADD COLUMN ledger_base INTEGER CHECK (ledger_base BETWEEN 1 AND 8388607);
UPDATE tenants SET ledger_base = (
    SELECT r.n FROM (
        SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM tenants
    ) AS r WHERE r.id = tenants.id
);
CREATE UNIQUE INDEX tenants_by_ledger_base ON tenants (ledger_base);
-- A new tenant takes the next number in the transaction that creates it (SQLite has one
-- writer at a time, so MAX + 1 cannot be taken twice).
CREATE TRIGGER tenants_ledger_base AFTER INSERT ON tenants WHEN NEW.ledger_base IS NULL
BEGIN
    UPDATE tenants SET ledger_base = (SELECT COALESCE(MAX(ledger_base), 0) + 1 FROM tenants)
    WHERE id = NEW.id;
END;

CREATE TABLE ledger_0016 (
    key         INTEGER PRIMARY KEY,
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL CHECK (seq BETWEEN 0 AND 1099511627775),
    recorded_at TEXT NOT NULL,
    actor       TEXT,
    kind        TEXT NOT NULL,
    order_id    TEXT,
    org         TEXT,
    minted      BIGINT NOT NULL,
    movements   TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    retired     BIGINT NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT '{}',
    CHECK (key >= 1099511627776 AND key % 1099511627776 = seq)
);
INSERT INTO ledger_0016 (key, tenant, seq, recorded_at, actor, kind, order_id, org, minted,
                         movements, prev_hash, hash, retired, state)
SELECT t.ledger_base * 1099511627776 + l.seq, l.tenant, l.seq, l.recorded_at, l.actor, l.kind,
       l.order_id, l.org, l.minted, l.movements, l.prev_hash, l.hash, l.retired, l.state
FROM ledger AS l JOIN tenants AS t ON t.id = l.tenant;
DROP TABLE ledger;
ALTER TABLE ledger_0016 RENAME TO ledger;
