-- 0003: the notification outbox. One row per message to one person, written in the
-- transaction of the change that caused it; the host application reads the unsent ones and
-- marks them sent. No foreign key to orders: a notification outlives a deleted order.

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
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
-- The outbox: unsent notifications of a tenant in order.
CREATE INDEX notifications_pending ON notifications (tenant, seq, id) WHERE sent_at IS NULL;
-- Who administers an organization (for notices to the source's admins).
CREATE INDEX org_admins_by_org ON org_admins (tenant, org);
