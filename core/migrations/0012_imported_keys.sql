-- 0012: license keys brought from another system (docs/rules.md §7). Existing licenses were
-- made here.
ALTER TABLE licenses ADD COLUMN imported BIGINT NOT NULL DEFAULT 0;
