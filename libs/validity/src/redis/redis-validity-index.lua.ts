/**
 * The Lua run inside Redis by RedisValidityIndex. Kept as strings (no .lua files) so the build and
 * jest need no loader; ioredis sends them with EVALSHA (falling back to EVAL once per connection).
 *
 * Every key a script touches is passed in KEYS by the client, which computed them from the
 * generation it believes is current; the script re-reads the generation pointer and refuses with
 * `gen:<actual>` when it moved, so the client refreshes its cache and retries. That way a write can
 * never land in a generation that replaceAll has already swapped away (and is deleting).
 */

/**
 * write(record) — the revision guard and every structure of one key, atomically.
 *
 * KEYS: 1 generation pointer, 2 record, 3 account set, 4 expiry zset,
 *       5..4+n hash entries, then the checkpoint key when ARGV[7] is not ''.
 * ARGV: 1 expected generation ('' = skip the check: replaceAll building an unpublished generation),
 *       2 record JSON, 3 keyId, 4 record version, 5 n (hash entries), 6 m (pending expiries),
 *       7 checkpoint position or '',
 *       then n triples (entry JSON, entry status, PEXPIREAT ms or ''),
 *       then m pairs (zset member, due-at ms).
 * Returns 'written' | 'stale' | 'gen:<current generation>'.
 *
 * Redis runs a script without interleaving anything else, which is what makes the guard and the
 * writes one step. It does not roll back a script that fails midway; the only failure possible here
 * is WRONGTYPE on a key something else corrupted, and every check happens before the first write
 * except the checkpoint's.
 */
export const WRITE_LUA = `
local expected = ARGV[1]
if expected ~= '' then
  local current = redis.call('GET', KEYS[1]) or '0'
  if current ~= expected then return 'gen:' .. current end
end

local n = tonumber(ARGV[5])
local m = tonumber(ARGV[6])

-- The checkpoint moves even when the record is stale: a replayed event was still consumed
-- (same as the memory adapter), so the subscription must not be sent back to it.
if ARGV[7] ~= '' then redis.call('SET', KEYS[5 + n], ARGV[7]) end

local keyId = ARGV[3]
local storedJson = redis.call('GET', KEYS[2])
local stored = nil
if storedJson then
  stored = cjson.decode(storedJson)
  -- Revision guard: only a strictly newer version may replace the record; revoked is terminal.
  if tonumber(stored.version) >= tonumber(ARGV[4]) or stored.status == 'revoked' then return 'stale' end
end

redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], keyId)

local a = 8
for i = 1, n do
  local key, json, status, pexpireat = KEYS[4 + i], ARGV[a], ARGV[a + 1], ARGV[a + 2]
  a = a + 3
  local old = redis.call('GET', key)
  -- A secret once revoked or expired stays so, whatever a later record claims.
  local keep = old and status == 'active' and cjson.decode(old).status ~= 'active'
  if not keep then
    redis.call('SET', key, json) -- SET drops any previous TTL: an entry whose expiry was cleared lives on
    if pexpireat ~= '' then redis.call('PEXPIREAT', key, pexpireat) end
  end
end

-- Pending expiries of this key are a subset of the stored record's current/previous secrets:
-- drop those members, then add what the new record still waits for.
if stored then
  redis.call('ZREM', KEYS[4], keyId .. ':' .. tostring(stored.current.version))
  if type(stored.previous) == 'table' then
    redis.call('ZREM', KEYS[4], keyId .. ':' .. tostring(stored.previous.version))
  end
end
for i = 1, m do
  redis.call('ZADD', KEYS[4], ARGV[a + 1], ARGV[a])
  a = a + 2
end
return 'written'
`;

/**
 * swap — publishes a generation built by replaceAll, with its checkpoint, in one step.
 *
 * KEYS: 1 generation pointer, 2 building zset, 3 dead set, 4 checkpoint.
 * ARGV: 1 new generation, 2 checkpoint position.
 * Returns the generation it replaced ('0' when none was ever set), now listed as dead so that its
 * deletion is finished by a later sweep even if this process dies before it is done.
 * Fails when the build was swept as abandoned meanwhile: its keys may already be half deleted.
 */
export const SWAP_LUA = `
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return redis.error_reply('ERR validity index generation ' .. ARGV[1] .. ' was swept as abandoned before its swap')
end
redis.call('ZREM', KEYS[2], ARGV[1])
local old = redis.call('GET', KEYS[1]) or '0'
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[4], ARGV[2])
redis.call('SADD', KEYS[3], old)
return old
`;
