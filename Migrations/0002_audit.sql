-- Audit queries read events in log order. A stream id `<ms>-<n>` compares as two numbers, never
-- as text (as text `…-10` sorts before `…-9`), so the archive keeps both parts as numbers, indexed
-- with the coupon (all of one coupon's events are in one partition, so this is its log order).
ALTER TABLE coupon_events ADD COLUMN event_ms BIGINT;
ALTER TABLE coupon_events ADD COLUMN event_seq BIGINT;
UPDATE coupon_events SET
    event_ms = CAST(SUBSTR(event_id, 1, INSTR(event_id, '-') - 1) AS INTEGER),
    event_seq = CAST(SUBSTR(event_id, INSTR(event_id, '-') + 1) AS INTEGER);
CREATE INDEX coupon_events_in_log_order ON coupon_events (coupon_id, event_ms, event_seq);

-- Everything one user holds.
CREATE INDEX coupon_issues_by_user ON coupon_issues (user_id, coupon_id);
