-- Tokens are bound to their org: a producer token writes only its org's events
-- and results unless it was made for every org (a platform service reporting
-- for all of them), and a payloads:read token of every org reads them all.
-- Tokens made before this migration wrote any org's data, and keep doing so.
-- A token may expire, and may be revoked; either is then refused.
alter table api_tokens
  add column all_orgs boolean not null default false,
  add column expires_at timestamptz,
  add column revoked_at timestamptz;
update api_tokens set all_orgs = true
  where scopes && array['statuses:write', 'results:write'];
