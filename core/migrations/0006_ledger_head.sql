-- 0006: the ledger shows where it ends and what state it leaves (docs/decisions.md §38).
-- Every tenant carries its ledger head (seq, hash), moved in the same transaction as each append,
-- so that deleting the newest entries is seen by the audit. Every entry records the digest of the
-- tenant's rows after it (JSON: table -> hex); entries written before this version have none ('{}').

ALTER TABLE tenants ADD COLUMN ledger_seq BIGINT NOT NULL DEFAULT 0 CHECK (ledger_seq >= 0);
ALTER TABLE tenants ADD COLUMN ledger_hash TEXT NOT NULL
    DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
ALTER TABLE ledger ADD COLUMN state TEXT NOT NULL DEFAULT '{}';

-- Existing tenants: the head is their newest entry.
UPDATE tenants SET
    ledger_seq = COALESCE((SELECT MAX(l.seq) FROM ledger l WHERE l.tenant = tenants.id), 0),
    ledger_hash = COALESCE(
        (SELECT l.hash FROM ledger l WHERE l.tenant = tenants.id ORDER BY l.seq DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000');
