-- 0014: ids in 16 bytes (docs/decisions.md §56). SQLite only: a PostgreSQL store records this
-- version without running it (its ids stay text; PostgreSQL's pages are not what a command's
-- cost is counted in there).
--
-- Every id column held the 36-character hyphenated text of a UUID; it now holds the UUID's
-- 16 bytes as a BLOB, which the library binds and reads (store/sqlite.rs). Rows and index
-- entries shrink by 20 bytes per id, and most index entries hold two or three ids. A BLOB of a
-- UUID sorts as its lowercase hyphenated text did, so every ORDER BY on an id keeps its order.
-- Foreign keys are checked at the commit of this transaction, when parents and children have
-- both been converted.
PRAGMA defer_foreign_keys = ON;

UPDATE tenants SET
    id = unhex(replace(id, '-', '')),
    vendor = unhex(replace(vendor, '-', ''));
UPDATE organizations SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', '')),
    parent = unhex(replace(parent, '-', ''));
UPDATE users SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', ''));
UPDATE org_admins SET
    tenant = unhex(replace(tenant, '-', '')),
    user_id = unhex(replace(user_id, '-', '')),
    org = unhex(replace(org, '-', ''));
UPDATE products SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', ''));
UPDATE orders SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', '')),
    product = unhex(replace(product, '-', '')),
    holder = unhex(replace(holder, '-', '')),
    source = unhex(replace(source, '-', '')),
    requested_by = unhex(replace(requested_by, '-', '')),
    approved_by = unhex(replace(approved_by, '-', '')),
    bundle = unhex(replace(bundle, '-', ''));
UPDATE draws SET
    tenant = unhex(replace(tenant, '-', '')),
    order_id = unhex(replace(order_id, '-', '')),
    source_order = unhex(replace(source_order, '-', ''));
UPDATE ledger SET
    tenant = unhex(replace(tenant, '-', '')),
    actor = unhex(replace(actor, '-', '')),
    order_id = unhex(replace(order_id, '-', '')),
    org = unhex(replace(org, '-', ''));
UPDATE bundles SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', ''));
UPDATE licenses SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', '')),
    order_id = unhex(replace(order_id, '-', '')),
    product = unhex(replace(product, '-', '')),
    license_user = unhex(replace(license_user, '-', ''));
UPDATE license_users SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', '')),
    order_id = unhex(replace(order_id, '-', ''));
UPDATE license_managers SET
    tenant = unhex(replace(tenant, '-', '')),
    order_id = unhex(replace(order_id, '-', '')),
    user_id = unhex(replace(user_id, '-', ''));
UPDATE notifications SET
    id = unhex(replace(id, '-', '')),
    tenant = unhex(replace(tenant, '-', '')),
    recipient = unhex(replace(recipient, '-', '')),
    order_id = unhex(replace(order_id, '-', ''));
UPDATE org_counts SET
    tenant = unhex(replace(tenant, '-', '')),
    org = unhex(replace(org, '-', '')),
    product = unhex(replace(product, '-', ''));
UPDATE idempotency_keys SET
    tenant = unhex(replace(tenant, '-', ''));
UPDATE tenant_secrets SET
    tenant = unhex(replace(tenant, '-', ''));
