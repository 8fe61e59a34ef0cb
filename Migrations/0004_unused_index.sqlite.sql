-- The 0001 index coupon_events_by_coupon (coupon_id, occurred_at) has served no query since 0002
-- added coupon_events_in_log_order (coupon_id, event_ms, event_seq); every projected event paid
-- for it (4–8% of a worker's throughput on SQLite). SQLite and MariaDB/MySQL have no common
-- DROP INDEX, so this migration is written once per engine (the .mariadb.sql file is the other).
DROP INDEX IF EXISTS coupon_events_by_coupon;
