-- wrk script of bench/verify.bench.js: POST {"key": ...} cycling over the keys of a file, and a check
-- of every answer. Run as: wrk -s bench/verify-wrk.lua <url> -- <keys file> <path> <authorization>
-- The keys file holds one "key<TAB>keyId" per line (written by the bench, mode 0600, removed after).
--
-- wrk's Lua cannot tell which connection an answer came on, so each thread keeps the keyIds it has
-- in flight (a multiset): an answer must be 200, "valid":true, and carry a keyId that this thread
-- sent and has not yet seen answered. done() prints one line "WRK_RESULT <json>" with the figures.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local keys, ids, count, next_index = {}, {}, 0, 0
local inflight = {}
ok, wrong, non200, not_valid, other_id = 0, 0, 0, 0, 0
samples = ""

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local key, id = line:match("^([^\t]+)\t([^\t]+)$")
    if key then
      count = count + 1
      keys[count] = '{"key":"' .. key .. '"}'
      ids[count] = id
    end
  end
  file:close()
  assert(count > 0, "no keys in the keys file")
  wrk.method = "POST"
  wrk.path = args[2]
  wrk.headers["content-type"] = "application/json"
  wrk.headers["authorization"] = os.getenv("BENCH_AUTHORIZATION")
  -- Threads start at different places in the list.
  next_index = math.random(count) - 1
end

function request()
  next_index = next_index % count + 1
  local id = ids[next_index]
  inflight[id] = (inflight[id] or 0) + 1
  return wrk.format(nil, nil, nil, keys[next_index])
end

local function sample(kind, body)
  if #samples < 600 then samples = samples .. kind .. ": " .. string.sub(body or "", 1, 150) .. "\n" end
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1; wrong = wrong + 1; sample("HTTP " .. status, body); return
  end
  if not string.find(body, '"valid":true', 1, true) then
    not_valid = not_valid + 1; wrong = wrong + 1; sample("not valid", body); return
  end
  local id = string.match(body, '"keyId":"([^"]+)"')
  if id == nil or (inflight[id] or 0) == 0 then
    other_id = other_id + 1; wrong = wrong + 1; sample("another keyId", body); return
  end
  inflight[id] = inflight[id] - 1
  ok = ok + 1
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local t = { ok = 0, wrong = 0, non200 = 0, not_valid = 0, other_id = 0 }
  local all_samples = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + (thread:get(name) or 0) end
    all_samples = all_samples .. (thread:get("samples") or "")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationMicros":%d,"p50Micros":%d,"p99Micros":%d,"meanMicros":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"ok":%d,"wrong":%d,"non200":%d,"notValid":%d,"otherKeyId":%d,"samples":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout,
    t.ok, t.wrong, t.non200, t.not_valid, t.other_id, json_string(all_samples)))
end
