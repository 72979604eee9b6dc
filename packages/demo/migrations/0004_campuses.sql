-- Campuses a presence heartbeat may name; a heartbeat must fall within the campus radius.
CREATE TABLE campuses (
  id text PRIMARY KEY,
  name text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  radius_m integer NOT NULL
);
INSERT INTO campuses (id, name, lat, lon, radius_m) VALUES
  ('main', 'Main campus', 41.0082, 28.9784, 2000),
  ('north', 'North campus', 41.1000, 29.0200, 1500),
  ('harbor', 'Harbor campus', 40.9900, 29.0300, 1000);
