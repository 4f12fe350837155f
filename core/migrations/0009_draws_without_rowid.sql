-- 0009: one b-tree page fewer per approval on SQLite (docs/decisions.md §44). SQLite only: a
-- PostgreSQL store records this version without running it (its tables are heaps, and their
-- keys are indexes either way).
--
-- A rowid table with a key of its own is two b-trees (the rows by rowid, and the key's index),
-- so every insert writes a page of each. The draws are small rows only ever inserted and found
-- by their key (or by draws_by_source): as a WITHOUT ROWID table they are one b-tree, the same
-- columns, the same rows. (The ledger and the outbox were measured the same way and wrote
-- more pages, not fewer: their rows are large, and a WITHOUT ROWID b-tree keeps whole rows in
-- its interior pages.)

CREATE TABLE draws_0009 (
    tenant       TEXT NOT NULL REFERENCES tenants (id),
    order_id     TEXT NOT NULL REFERENCES orders (id),
    source_order TEXT NOT NULL REFERENCES orders (id),
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    drawn_at     TEXT NOT NULL,
    PRIMARY KEY (order_id, source_order)
) WITHOUT ROWID;
INSERT INTO draws_0009 (tenant, order_id, source_order, quantity, drawn_at)
SELECT tenant, order_id, source_order, quantity, drawn_at FROM draws;
DROP TABLE draws;
ALTER TABLE draws_0009 RENAME TO draws;
CREATE INDEX draws_by_source ON draws (tenant, source_order, drawn_at);
