-- IMDSv2 as clients use it, on every keep-alive connection: PUT a token, then GET the credentials with it.
-- Each GET carries the latest token this thread was issued (the first from the bench, via init's args).
-- Args: <initial token> <credentials path> [put-only]
local token, path, put_only
local put_request

function init(args)
  token = args[1]
  path = args[2]
  put_only = args[3] == "put-only"
  put_request = wrk.format("PUT", "/latest/api/token", { ["X-aws-ec2-metadata-token-ttl-seconds"] = "21600" })
end

local next_is_put = true
local threads = {}
-- Statuses other than 200, by code, per thread (done() adds them up).
refused = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  if put_only or next_is_put then
    next_is_put = false
    return put_request
  end
  next_is_put = true
  return wrk.format("GET", path, { ["X-aws-ec2-metadata-token"] = token })
end

function response(status, headers, body)
  if status ~= 200 then
    refused[tostring(status)] = (refused[tostring(status)] or 0) + 1
  end
  -- A token is plain base64url; the credentials document is JSON.
  if status == 200 and string.sub(body, 1, 1) ~= "{" then
    token = body
  end
end

function done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("refused")) do
      statuses[status] = (statuses[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(statuses) do
    table.insert(parts, string.format('"%s":%d', status, count))
  end
  io.write(string.format(
    '{"statuses":{%s},"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%f}\n',
    table.concat(parts, ","),
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
