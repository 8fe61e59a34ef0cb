-- The projection of the event log. Written to run unchanged on SQLite and MySQL/MariaDB.
-- Times are epoch milliseconds in BIGINT columns: exact, and the same on both engines.

CREATE TABLE coupons (
    id BIGINT NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    total_quantity BIGINT NOT NULL,
    issue_starts_at BIGINT NOT NULL,
    issue_ends_at BIGINT NOT NULL,
    defined_event_id VARCHAR(40) NOT NULL,
    defined_at BIGINT NOT NULL
);

CREATE TABLE coupon_issues (
    coupon_id BIGINT NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    seq BIGINT NOT NULL,
    event_id VARCHAR(40) NOT NULL,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (coupon_id, user_id),
    CONSTRAINT coupon_issues_seq UNIQUE (coupon_id, seq)
);

-- The archive of every projected event, the durable copy of the log; audit queries run here.
-- event_id is unique within one partition's stream only, so it is never a key on its own.
CREATE TABLE coupon_events (
    partition_no INTEGER NOT NULL,
    event_id VARCHAR(40) NOT NULL,
    type VARCHAR(32) NOT NULL,
    coupon_id BIGINT NOT NULL,
    user_id VARCHAR(64),
    seq BIGINT,
    payload TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    PRIMARY KEY (partition_no, event_id)
);

CREATE INDEX coupon_events_by_coupon ON coupon_events (coupon_id, occurred_at);

CREATE TABLE projection_progress (
    partition_no INTEGER NOT NULL PRIMARY KEY,
    last_event_id VARCHAR(40) NOT NULL,
    updated_at BIGINT NOT NULL
);
