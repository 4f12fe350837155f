-- 0013: fewer index pages per request and approval (docs/decisions.md §44).
--
-- A draw reads a holder's active orders of a product, oldest first. Only active orders can be
-- drawn from, so the index holds those alone: a request (status requested) no longer writes a
-- page of it, and an approval adds its order once instead of moving it from one status to
-- another. The query names the status as a literal, which both SQLite and PostgreSQL need to
-- use a partial index.
DROP INDEX orders_for_draw;
CREATE INDEX orders_for_draw ON orders (tenant, holder, product, number) WHERE status = 'active';

-- The outbox's pending index: within one ledger entry (seq) its few notifications are sorted
-- by id after the index finds them, so the 36-character id no longer sits in every entry.
DROP INDEX notifications_pending;
CREATE INDEX notifications_pending ON notifications (tenant, seq) WHERE sent_at IS NULL;
