CREATE TABLE invites (
  id uuid PRIMARY KEY,
  from_user uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  to_user uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz
);
-- One pending invite per ordered pair.
CREATE UNIQUE INDEX invites_pending_pair ON invites (from_user, to_user) WHERE status = 'pending';

-- Stored once per pair with user_a < user_b.
CREATE TABLE friendships (
  user_a uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_b uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_a, user_b),
  CHECK (user_a < user_b)
);
