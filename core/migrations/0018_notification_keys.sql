-- 0018: notification ids that name their row on SQLite (docs/decisions.md §72). SQLite only:
-- a PostgreSQL store records this version without running it (its outbox stays keyed by id).
--
-- The outbox was three b-trees, so every notifying command wrote a page of each: the rows,
-- the index of their ids (the primary key), and the pending index. Rows now have an integer
-- `key` (the rowid), and a notification written from now on has an id that holds its key
-- (store/notification_keys.rs): finding it by id is a lookup of that key, and the index of
-- ids is gone. The ids written before stay valid: `notification_ids` maps each to its row.
-- They get their keys in the outbox's own order (tenant, seq, id), so within a ledger entry
-- their keys sort as their ids do. Nothing references the outbox, so it is rebuilt in place.

CREATE TABLE notifications_0018 (
    key         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    recipient   TEXT NOT NULL REFERENCES users (id),
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    digest      TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
INSERT INTO notifications_0018 (key, id, tenant, seq, kind, recipient, email, name, order_id,
                                digest, permissions, created_at, sent_at)
SELECT row_number() OVER (ORDER BY tenant, seq, id), id, tenant, seq, kind, recipient, email,
       name, order_id, digest, permissions, created_at, sent_at
FROM notifications;
-- The ids that do not name their row, each with its row's key.
CREATE TABLE notification_ids (
    id  TEXT PRIMARY KEY,
    key INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO notification_ids (id, key) SELECT id, key FROM notifications_0018;
DROP TABLE notifications;
ALTER TABLE notifications_0018 RENAME TO notifications;
-- The outbox: unsent notifications of a tenant in order (entries hold the key, so a ledger
-- entry's few notifications are sorted by id after the index finds them, as before).
CREATE INDEX notifications_pending ON notifications (tenant, seq) WHERE sent_at IS NULL;
