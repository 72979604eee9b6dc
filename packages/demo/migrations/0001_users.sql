-- Accounts. Passwords are stored as scrypt hashes with a per-user salt, never in clear.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  email text,
  password_hash bytea NOT NULL,
  password_salt bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
