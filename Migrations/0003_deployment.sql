-- The deployment this projection belongs to: its partition count and generation id, recorded by
-- the first worker or replay that projects into this database. `coupon recover` rebuilds Redis
-- with them; `coupon init` refuses to start a new deployment over a database that holds one; a
-- worker refuses to project another deployment's log into it. One row: id is always 1.
CREATE TABLE deployment (
    id INTEGER NOT NULL PRIMARY KEY,
    generation VARCHAR(64) NOT NULL,
    partition_count INTEGER NOT NULL,
    recorded_at BIGINT NOT NULL
);
