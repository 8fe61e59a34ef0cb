-- The 0001 index coupon_events_by_coupon (coupon_id, occurred_at) has served no query since 0002
-- added coupon_events_in_log_order (coupon_id, event_ms, event_seq); every projected event paid
-- for it. SQLite and MariaDB/MySQL have no common DROP INDEX, so this migration is written once
-- per engine (the .sqlite.sql file is the other). MySQL has no IF EXISTS here.
DROP INDEX coupon_events_by_coupon ON coupon_events;
