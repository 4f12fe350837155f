-- 0010: an organization's approval queue and the orders it supplied, newest first, read by
-- index (docs/rules.md §6): the requests addressed to it (source, status requested) and the
-- orders drawn from it (source, status active or depleted), each in order number. Replaces
-- the index on (tenant, source, status) it extends.
DROP INDEX orders_by_source;
CREATE INDEX orders_by_source ON orders (tenant, source, status, number);
