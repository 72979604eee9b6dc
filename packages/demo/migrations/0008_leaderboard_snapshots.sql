-- Periodic copies of the Redis leaderboards; the daily rollover writes the day's final one.
CREATE TABLE leaderboard_snapshots (
  id bigserial PRIMARY KEY,
  period text NOT NULL,
  scope text NOT NULL,
  board_key text NOT NULL,
  entries jsonb NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leaderboard_snapshots_period ON leaderboard_snapshots (period, scope, taken_at DESC);
