-- Dead letters belong to an org, as everything else does: the org the bus is
-- bound to (NATS_ORG_ID), else the org_id their message names; none when
-- neither is known (not JSON, no org_id), and then only callers who see every
-- org see them. Before this, any dead-letters:manage token read, replayed and
-- deleted every org's, and a replay stored them under the API process's own
-- NATS_ORG_ID. Letters kept before this belong to no org: the bus's org was
-- not recorded, and a body need not be JSON.
alter table dead_letters add column org_id text;
create index dead_letters_org_idx on dead_letters (org_id, received_at desc, id desc);

-- A stream deleted and made again numbers its messages from 1 again, so
-- (stream, stream_sequence) named two messages, and a new stream's dead letter
-- whose sequence repeated an old one's was acknowledged and dropped by
-- ON CONFLICT DO NOTHING (10 of 1,000 in the issue's run). With the time the
-- stream stored the message it names one message, and still one row however
-- often that message is delivered. Letters kept before this have no time:
-- nulls not distinct keeps them one per (stream, sequence), as they were.
alter table dead_letters add column published_at timestamptz;
alter table dead_letters drop constraint dead_letters_stream_stream_sequence_key;
alter table dead_letters add constraint dead_letters_message_key unique nulls not distinct (stream, stream_sequence, published_at);
