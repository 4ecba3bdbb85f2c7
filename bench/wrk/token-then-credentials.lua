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

function request()
  if put_only or next_is_put then
    next_is_put = false
    return put_request
  end
  next_is_put = true
  return wrk.format("GET", path, { ["X-aws-ec2-metadata-token"] = token })
end

function response(status, headers, body)
  -- A token is plain base64url; the credentials document is JSON.
  if status == 200 and string.sub(body, 1, 1) ~= "{" then
    token = body
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
