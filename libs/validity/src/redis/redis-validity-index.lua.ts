/**
 * The Lua run inside Redis by RedisValidityIndex. Kept as strings (no .lua files) so the build and
 * jest need no loader; ioredis sends them with EVALSHA (falling back to EVAL once per connection).
 *
 * Every key of the generation a script is told to write is passed in KEYS by the client, which
 * computed them from the generation it believes is current; the script re-reads the generation
 * pointer and refuses with `gen:<actual>` when it moved, so the client refreshes its cache and
 * retries. That way a write can never land in a generation that replaceAll has already swapped away
 * (and is deleting).
 *
 * The one exception to "every key in KEYS": a live write also writes the same key into every
 * generation being built, whose ids only the script knows at that instant, so it derives those key
 * names itself from the namespace (ARGV[8]). On Redis Cluster the namespace the client passes is
 * hash-tagged (`{cs}`, see redis-validity-index.ts), so those keys are in the slot of the declared
 * ones: Redis runs scripts without flags in its compatibility mode, which allows undeclared keys of
 * the script's own slot (a key of another slot would fail the script, not go elsewhere). The cluster
 * tier checks that every key of a namespace, builds in progress included, is in one slot.
 */

/**
 * write(record) — the revision guard and every structure of one key, atomically; for a live write,
 * in the live generation and, under the same guards, in every generation being built.
 *
 * KEYS: 1 generation pointer, 2 building zset, 3 record, 4 account set, 5 expiry zset,
 *       6..5+n hash entries, then the checkpoint key when ARGV[7] is not ''.
 *       Keys 3..5+n are `<ns>:<g>:<rest>` for the generation g written first.
 * ARGV: 1 expected generation ('' = skip the check and write g only: replaceAll building or
 *       completing its own unpublished generation),
 *       2 record JSON, 3 keyId, 4 record version, 5 n (hash entries), 6 m (pending expiries),
 *       7 checkpoint `position/base` (base may be empty) or '', 8 namespace,
 *       then n triples (entry JSON, entry status, PEXPIREAT ms or ''),
 *       then m pairs (zset member, due-at ms).
 * Returns 'written' | 'stale' (the outcome in g) | 'gen:<current generation>' (nothing written) |
 * 'rewound' (the stored checkpoint is behind the given base; nothing written).
 *
 * Why a live write goes to the generations being built too: replaceAll registers its generation in
 * the building zset before it writes a single record, and the swap removes it from there in the same
 * step as it moves the pointer. So a live write either sees the old pointer and that generation
 * still registered (and writes both), or sees the new pointer (and is sent back to retry there):
 * nothing written after a build registered can be lost at its swap. The guards run separately in each
 * generation, so the rebuild's (possibly older) record and a newer live write meet the same revision
 * guard and terminal rules whichever lands first.
 *
 * Redis runs a script without interleaving anything else, which is what makes the guard and the
 * writes one step. It does not roll back a script that fails midway; the only failure possible here
 * is WRONGTYPE on a key something else corrupted. In each generation every check happens before its
 * first write; the checkpoint is set first, and the live generation is written before building ones.
 */
/** Store positions are unsigned 64-bit integers in decimal: compared as strings, shorter is smaller. */
const POSITIONS_LUA = `
local function lt(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
`;

/**
 * apply(...) — the revision guard and every structure of one key in ONE generation, shared by the
 * write and the fixup scripts. k, acct, exp: the record, account set and expiry zset keys; hkey(i): the
 * key of hash entry i; json, keyId, version: the record; n hash entries, m pending expiries, read from
 * `args` (ARGV) starting at `at`: n triples (entry JSON, entry status, PEXPIREAT ms or ''), then m pairs
 * (zset member, due-at ms). Returns 'written' or 'stale'.
 */
const APPLY_LUA = `
local function apply(k, acct, exp, hkey, json, keyId, version, n, m, args, at)
  local storedJson = redis.call('GET', k)
  local stored = nil
  if storedJson then
    stored = cjson.decode(storedJson)
    -- Revision guard: only a strictly newer version may replace the record; revoked is terminal.
    if tonumber(stored.version) >= version or stored.status == 'revoked' then return 'stale' end
  end

  redis.call('SET', k, json)
  redis.call('SADD', acct, keyId)

  local a = at
  for i = 1, n do
    local key, entry, status, pexpireat = hkey(i), args[a], args[a + 1], args[a + 2]
    a = a + 3
    local old = redis.call('GET', key)
    -- A secret once revoked or expired stays so, whatever a later record claims (active and
    -- suspended go back and forth under the revision guard: suspend, resume).
    local keep = false
    if old and (status == 'active' or status == 'suspended') then
      local was = cjson.decode(old).status
      keep = was == 'revoked' or was == 'expired'
    end
    if not keep then
      redis.call('SET', key, entry) -- SET drops any previous TTL: an entry whose expiry was cleared lives on
      if pexpireat ~= '' then redis.call('PEXPIREAT', key, pexpireat) end
    end
  end

  -- Pending expiries of this key are a subset of the stored record's current/previous secrets:
  -- drop those members, then add what the new record still waits for.
  if stored then
    redis.call('ZREM', exp, keyId .. ':' .. tostring(stored.current.version))
    if type(stored.previous) == 'table' then
      redis.call('ZREM', exp, keyId .. ':' .. tostring(stored.previous.version))
    end
  end
  for i = 1, m do
    redis.call('ZADD', exp, args[a + 1], args[a])
    a = a + 2
  end
  return 'written'
end
`;

export const WRITE_LUA = `
local expected = ARGV[1]
if expected ~= '' then
  local current = redis.call('GET', KEYS[1]) or '0'
  if current ~= expected then return 'gen:' .. current end
end

local n = tonumber(ARGV[5])
local m = tonumber(ARGV[6])
local keyId = ARGV[3]
local version = tonumber(ARGV[4])
local ns = ARGV[8]
${POSITIONS_LUA}
${APPLY_LUA}
-- The checkpoint moves even when the record is stale: a replayed event was still consumed
-- (same as the memory adapter), so the subscription must not be sent back to it. It only moves
-- forward, and a writer that names a base is refused (nothing written) when the stored checkpoint
-- is behind it: the index lost writes, and the writer must resume from what is stored.
if ARGV[7] ~= '' then
  local position, base = string.match(ARGV[7], '^(%d+)/(%d*)$')
  local stored = redis.call('GET', KEYS[6 + n])
  if base ~= '' and (not stored or lt(stored, base)) then return 'rewound' end
  if not stored or lt(stored, position) then redis.call('SET', KEYS[6 + n], position) end
end

-- Writes the record into one generation; name(i) is the name of KEYS[i] (i >= 3) in that generation.
local function applyTo(name)
  return apply(name(3), name(4), name(5), function(i) return name(5 + i) end, ARGV[2], keyId, version, n, m, ARGV, 9)
end

local outcome = applyTo(function(i) return KEYS[i] end)

if expected ~= '' then
  local live = ns .. ':' .. expected .. ':'
  local rest = function(i) return string.sub(KEYS[i], #live + 1) end
  local touched = nil
  for _, g in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    if g ~= expected then
      local prefix = ns .. ':' .. g .. ':'
      applyTo(function(i) return prefix .. rest(i) end)
      -- The build's bulk writes may still land over this (they carry no guard): keep what this write
      -- was, the newest version per key, for the build to apply again once its bulk writes are in
      -- (FIXUP_LUA).
      if not touched then
        touched = { version, n, m, rest(4), ARGV[2] }
        for i = 1, n do touched[#touched + 1] = rest(5 + i) end
        for i = 9, #ARGV do touched[#touched + 1] = ARGV[i] end
        touched = cjson.encode(touched)
      end
      local tk = prefix .. 'touched'
      local kept = redis.call('HGET', tk, keyId)
      if not kept or cjson.decode(kept)[1] < version then redis.call('HSET', tk, keyId, touched) end
    end
  end
end
return outcome
`;

/**
 * fixup — after replaceAll's bulk writes have all landed in the generation it builds: applies again,
 * under the write guards (apply), every live write that reached that generation while it was being
 * built. The bulk writes are plain MSET / SET / SADD / ZADD without a guard (that is what makes a
 * rebuild cheap: no script runs per record), so an older record of the rebuild may have landed over
 * a newer live write; the write script keeps each such write (the newest version per key) in
 * `<prefix>touched`, a hash of keyId → JSON array [version, n, m, account key suffix, record JSON,
 * n hash key suffixes, then apply's n triples and m pairs]. Applying them again puts back what the
 * bulk writes overwrote and is a no-op (stale) where the rebuild's record is newer. Live writes after
 * the bulk writes meet the rebuild's records under the guards directly.
 *
 * KEYS: 1 building zset. ARGV: 1 generation id g, 2 key prefix of g (`<ns>:<g>:`). The keys it
 * touches are derived from the prefix (undeclared: on Redis Cluster they share the hash-tagged
 * namespace's slot with KEYS[1], see the header). Returns the number of writes applied again (written,
 * not stale); fails when the build was swept as abandoned.
 */
export const FIXUP_LUA = `
${APPLY_LUA}
local g, p = ARGV[1], ARGV[2]
if not redis.call('ZSCORE', KEYS[1], g) then
  return redis.error_reply('ERR validity index generation ' .. g .. ' was swept as abandoned during its build')
end
local all = redis.call('HGETALL', p .. 'touched')
local written = 0
for i = 1, #all, 2 do
  local keyId, t = all[i], cjson.decode(all[i + 1])
  local n, m = t[2], t[3]
  local hkey = function(j) return p .. t[5 + j] end
  if apply(p .. 'k:' .. keyId, p .. t[4], p .. 'exp', hkey, t[5], keyId, t[1], n, m, t, 6 + n) == 'written' then
    written = written + 1
  end
end
return written
`;

/**
 * bulk — the writes of one batch of a build that Redis has no multi-key command for, in one call: each
 * hash entry that expires (`SET … PXAT`) and each account's set (`SADD`). One script call instead of a
 * command per entry and per account: the client's cost is per command (about 730 per 500 records before).
 * No guard: the build's bulk writes are only for keys it has not written yet (see replaceAllBy).
 *
 * KEYS: 1 the building zset (only to route the call to the namespace's slot on a cluster; not written).
 * ARGV: 1 n, then n triples (entry key, entry JSON, expiry in epoch ms); then m, then m groups
 *       (account set key, c, then c key ids).
 */
export const BULK_LUA = `
local i = 2
for _ = 1, tonumber(ARGV[1]) do
  redis.call('SET', ARGV[i], ARGV[i + 1], 'PXAT', ARGV[i + 2])
  i = i + 3
end
local m = tonumber(ARGV[i])
i = i + 1
for _ = 1, m do
  local c = tonumber(ARGV[i + 1])
  redis.call('SADD', ARGV[i], unpack(ARGV, i + 2, i + 1 + c))
  i = i + 2 + c
end
return m
`;

/**
 * swap — publishes a generation built by replaceAll, with its checkpoint, in one step.
 *
 * KEYS: 1 generation pointer, 2 building zset, 3 dead set, 4 checkpoint.
 * ARGV: 1 new generation, 2 checkpoint position, 3 '1' to store it even behind the stored one (rewind).
 * Returns the generation it replaced ('0' when none was ever set), now listed as dead so that its
 * deletion is finished by a later sweep even if this process dies before it is done.
 * Fails when the build was swept as abandoned meanwhile: its keys may already be half deleted.
 */
export const SWAP_LUA = `
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return redis.error_reply('ERR validity index generation ' .. ARGV[1] .. ' was swept as abandoned before its swap')
end
${POSITIONS_LUA}
redis.call('ZREM', KEYS[2], ARGV[1])
local old = redis.call('GET', KEYS[1]) or '0'
redis.call('SET', KEYS[1], ARGV[1])
-- Forward only: every live write since the build registered also went into the new generation, so
-- it holds everything up to the higher of the two positions (index trust relies on positions that
-- never go back while nothing is lost).
local stored = redis.call('GET', KEYS[4])
if ARGV[3] == '1' or not stored or lt(stored, ARGV[2]) then redis.call('SET', KEYS[4], ARGV[2]) end
redis.call('SADD', KEYS[3], old)
return old
`;

/**
 * saveCheckpoint — forward only (unless rewind); with a base, refused ('rewound', nothing written) when
 * the stored checkpoint is behind it.
 *
 * KEYS: 1 checkpoint. ARGV: 1 position, 2 base or '', 3 '1' to store it even behind the stored one.
 * Returns 'saved' | 'kept' | 'rewound'.
 */
export const SAVE_CHECKPOINT_LUA = `
${POSITIONS_LUA}
local stored = redis.call('GET', KEYS[1])
if ARGV[2] ~= '' and (not stored or lt(stored, ARGV[2])) then return 'rewound' end
if ARGV[3] == '1' or not stored or lt(stored, ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 'saved'
end
return 'kept'
`;
