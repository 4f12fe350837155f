-- 0011: what an administrator can take back (docs/rules.md §1, §2): a user can be deactivated
-- and reactivated, a product retired. Existing users are active, existing products not retired.
ALTER TABLE users ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN retired BIGINT NOT NULL DEFAULT 0;
