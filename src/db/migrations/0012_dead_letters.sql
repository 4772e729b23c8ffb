-- Bus messages that can never be stored (not JSON, invalid fields, a foreign
-- org, or delivered too often), kept with their raw body and why, so that
-- nothing taken off the bus is lost (src/bus/). They are written in the same
-- transaction as the batch's good events, and the bus message is acknowledged
-- only after it commits. A message redelivered after a crash is not kept twice
-- (one row per stream sequence).
create table dead_letters (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  stream text not null,
  stream_sequence bigint not null,
  subject text not null,
  body bytea not null,
  reason text not null,
  deliveries integer not null,
  unique (stream, stream_sequence)
);
-- The list is newest first, filtered by reason or subject.
create index dead_letters_received_idx on dead_letters (received_at desc, id desc);
