-- 0008: fewer reads and pages per write, and a summary that reads one row per product
-- (docs/decisions.md §41).
--
-- The tenant row carries the state digests of the entry at its head (JSON table -> hex, as
-- ledger.state), moved with the head, so the statement that locks the tenant also reads what
-- the next entry needs. NULL until the first append after this version.
ALTER TABLE tenants ADD COLUMN ledger_state TEXT;

-- Moved by every transaction that writes an organization, user, admin grant or product: the
-- stores cache those rows per process and trust the cache at this version only.
ALTER TABLE tenants ADD COLUMN directory_version BIGINT NOT NULL DEFAULT 0;

-- Each organization's summary counters per product, changed in the transaction that changes an
-- order: its own orders (any status), the units of those holding units (active, depleted), its
-- pending requests, and the pending requests addressed to it. The audit recomputes them. (No
-- CHECK >= 0: an upsert's negative change is checked as an insert first; a negative figure
-- is refused when read.)
CREATE TABLE org_counts (
    tenant            TEXT   NOT NULL REFERENCES tenants (id),
    org               TEXT   NOT NULL REFERENCES organizations (id),
    product           TEXT   NOT NULL REFERENCES products (id),
    orders            BIGINT NOT NULL DEFAULT 0,
    held              BIGINT NOT NULL DEFAULT 0,
    available         BIGINT NOT NULL DEFAULT 0,
    pending_requests  BIGINT NOT NULL DEFAULT 0,
    pending_units     BIGINT NOT NULL DEFAULT 0,
    incoming_requests BIGINT NOT NULL DEFAULT 0,
    incoming_units    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, org, product)
);

-- Existing orders: each holder's own orders (the statuses are those of this version) ...
INSERT INTO org_counts (tenant, org, product, orders, held, available, pending_requests,
                        pending_units, incoming_requests, incoming_units)
SELECT tenant, holder, product, COUNT(*),
       SUM(CASE WHEN status IN ('active', 'depleted') THEN approved_quantity ELSE 0 END),
       SUM(CASE WHEN status IN ('active', 'depleted') THEN available ELSE 0 END),
       SUM(CASE WHEN status = 'requested' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'requested' THEN requested_quantity ELSE 0 END),
       0, 0
FROM orders WHERE holder IS NOT NULL GROUP BY tenant, holder, product;

-- ... and the pending requests addressed to each source.
INSERT INTO org_counts (tenant, org, product, incoming_requests, incoming_units)
SELECT tenant, source, product, COUNT(*), SUM(requested_quantity)
FROM orders WHERE source IS NOT NULL AND status = 'requested' GROUP BY tenant, source, product
ON CONFLICT (tenant, org, product) DO UPDATE SET
    incoming_requests = excluded.incoming_requests,
    incoming_units = excluded.incoming_units;

-- Fewer pages per write: the draws into an order are found by the primary key's first column
-- (order_id); this index only duplicated it, and every draw wrote a page of it.
DROP INDEX draws_by_order;
