-- wrk script for src/bench/run. Sends the token header with every request, as Sentry does, and
-- checks every response. Arguments after wrk's "--":  <check> <token> <body bytes>
--   asset   status 200 and exactly <body bytes> of body
--   map     the same, and Cache-Control holds no-store (what every gate must add)
--   large   no response() at all: wrk copies every body it hands to response() into one buffer
--           and then into a Lua string, which for a 64 MiB body would measure wrk, not the proxy.
--           wrk's own counts stand in: statuses over 399, socket errors, and at least
--           <body bytes> received per completed response. src/bench/run compares the bytes of a
--           fetch before and after the load with the origin's.
-- done() prints one "bench-result" line that src/bench/run parses; "bench-bad" describes the
-- first wrong response, if any.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  check, expected_length = args[1], tonumber(args[3])
  wrk.headers["X-Sentry-Token"] = args[2]
  bad = 0
  first_bad = ""
  if check == "large" then
    response = nil
  end
end

local function header(headers, wanted)
  for name, value in pairs(headers) do
    if name:lower() == wanted then
      return value
    end
  end
  return nil
end

function response(status, headers, body)
  local problem
  if status ~= 200 then
    problem = "status " .. status
  elseif #body ~= expected_length then
    problem = "body of " .. #body .. " bytes"
  elseif check == "map" then
    local cache = header(headers, "cache-control")
    if cache == nil or not cache:find("no-store", 1, true) then
      problem = "Cache-Control " .. tostring(cache)
    end
  end
  if problem then
    bad = bad + 1
    if first_bad == "" then
      first_bad = problem
    end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("bad")
    if first == "" then
      first = thread:get("first_bad")
    end
  end
  local check = threads[1]:get("check")
  local length = threads[1]:get("expected_length")
  if summary.requests == 0 then
    bad = bad + 1
    first = "no complete response"
  elseif check == "large" and summary.bytes < summary.requests * length then
    bad = bad + 1
    first = "fewer bytes than " .. summary.requests .. " complete bodies"
  end
  local e = summary.errors
  io.write(string.format(
    "bench-result requests=%d duration_us=%d bytes=%d p50_us=%.0f p99_us=%.0f bad=%d socket_errors=%d status_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99), bad,
    e.connect + e.read + e.write, e.status, e.timeout))
  if first ~= "" then
    io.write("bench-bad " .. first .. "\n")
  end
end
