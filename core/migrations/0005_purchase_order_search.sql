-- 0005: the purchase-order filter searches a column folded by the core (docs/rules.md §6:
-- each character's Unicode lowercase), so every store folds alike; SQL's lower() is ASCII-only
-- in SQLite and locale-dependent in PostgreSQL. Existing rows are filled in by the library
-- right after this script, in the same transaction (store/migrations.rs, `backfill`).

ALTER TABLE orders ADD COLUMN purchase_order_folded TEXT;
