-- One keep-alive connection per wrk thread (run with -tN -cN), each fetching credentials as SDKs do, over and
-- over: PUT a token, GET the role list, GET that role's credentials. Each thread times its whole fetches on
-- CLOCK_MONOTONIC (through LuaJIT's FFI) and done() prints their percentiles as one JSON line.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec_t;
  int clock_gettime(int clock_id, timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("timespec_t")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local step, token, role, started = 0, "", "", 0
fetches, failures = {}, 0

function request()
  if step == 0 then
    started = now_ms()
    return wrk.format("PUT", "/latest/api/token", { ["X-aws-ec2-metadata-token-ttl-seconds"] = "21600" })
  elseif step == 1 then
    return wrk.format("GET", "/latest/meta-data/iam/security-credentials/", { ["X-aws-ec2-metadata-token"] = token })
  end
  return wrk.format("GET", "/latest/meta-data/iam/security-credentials/" .. role, { ["X-aws-ec2-metadata-token"] = token })
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    step = 0
    return
  end
  if step == 0 then
    token, step = body, 1
  elseif step == 1 then
    role, step = body, 2
  else
    table.insert(fetches, now_ms() - started)
    step = 0
  end
end

function done(summary, latency, requests)
  local all, failed = {}, 0
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("fetches")) do table.insert(all, ms) end
    failed = failed + thread:get("failures")
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return -1 end
    return all[math.max(1, math.ceil(p / 100 * #all))]
  end
  io.write(string.format('{"fetches":%d,"failures":%d,"p50Ms":%.3f,"p99Ms":%.3f,"maxMs":%.3f}\n',
    #all, failed + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    pct(50), pct(99), pct(100)))
end
