-- 0017: the ledger keyed by one integer on PostgreSQL, as 0016 does on SQLite (docs/decisions.md
-- §65). PostgreSQL only: an SQLite store records this version without running it.
--
-- PostgreSQL's ledger is a heap with one index either way, so this changes nothing it writes;
-- it gives both stores the same columns, so the statements that read and write the ledger stay
-- one text for both. New tenants take their number from a sequence (concurrent creations
-- cannot take the same one).

CREATE SEQUENCE ledger_bases MINVALUE 1 MAXVALUE 8388607;
ALTER TABLE tenants ADD COLUMN ledger_base BIGINT;
UPDATE tenants SET ledger_base = r.n
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM tenants) AS r
WHERE r.id = tenants.id;
SELECT setval('ledger_bases', COALESCE(MAX(ledger_base), 0) + 1, false) FROM tenants;
ALTER TABLE tenants
    ALTER COLUMN ledger_base SET DEFAULT nextval('ledger_bases'),
    ALTER COLUMN ledger_base SET NOT NULL,
    ADD CONSTRAINT tenants_ledger_base_range CHECK (ledger_base BETWEEN 1 AND 8388607),
    ADD CONSTRAINT tenants_ledger_base_key UNIQUE (ledger_base);
ALTER SEQUENCE ledger_bases OWNED BY tenants.ledger_base;

ALTER TABLE ledger ADD COLUMN key BIGINT;
UPDATE ledger SET key = t.ledger_base * 1099511627776 + ledger.seq
FROM tenants AS t WHERE t.id = ledger.tenant;
ALTER TABLE ledger
    ALTER COLUMN key SET NOT NULL,
    DROP CONSTRAINT ledger_pkey,
    ADD PRIMARY KEY (key),
    ADD CONSTRAINT ledger_key_holds_seq
        CHECK (seq BETWEEN 0 AND 1099511627775 AND key >= 1099511627776
               AND key % 1099511627776 = seq);
