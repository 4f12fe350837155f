-- 0015: no foreign-key triggers on PostgreSQL's hottest writes (docs/decisions.md §59).
-- PostgreSQL only: an SQLite store records this version without running it (its foreign keys
-- are a lookup in the same process, and dropping one would mean rebuilding the table).
--
-- PostgreSQL checks a foreign key with a trigger per written row that locks the referenced row
-- (FOR KEY SHARE), and again on every update of a row the same transaction wrote before. In a
-- group commit that is every command: about a third of the server's time per request+approve
-- pair went to these checks, under the tenant's lock. The ones dropped here can never fire:
-- * `tenant` of the hot tables: every row is written with the id of the tenant row its
--   transaction has locked, and tenants are never deleted. Checking it locked the tenant row,
--   the hottest row of the database, once more per row written (in a savepoint, a MultiXact).
-- * `org_counts` (org, product): the counters are derived figures; `audit` recomputes every
--   line from the orders and names any line that differs, one of a missing organization
--   included.
-- * `notifications.recipient`: users are never deleted; the recipient is read in the same
--   transaction, and a notification carries its own address and name.
-- The inventory's references (an order's product, holder, source and users, a draw's orders,
-- everything of licenses) keep their foreign keys.
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_tenant_fkey;
ALTER TABLE draws DROP CONSTRAINT IF EXISTS draws_tenant_fkey;
ALTER TABLE ledger DROP CONSTRAINT IF EXISTS ledger_tenant_fkey;
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_tenant_fkey;
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_recipient_fkey;
ALTER TABLE org_counts DROP CONSTRAINT IF EXISTS org_counts_tenant_fkey;
ALTER TABLE org_counts DROP CONSTRAINT IF EXISTS org_counts_org_fkey;
ALTER TABLE org_counts DROP CONSTRAINT IF EXISTS org_counts_product_fkey;
