-- wrk script for the benchmark: rotate through the request lines of a file, count statuses, and
-- print one JSON line (prefixed "BENCH_JSON ") with latency percentiles and throughput at the end.
--
-- Usage: wrk ... -s bench/wrk/rotate.lua <url> -- <requests-file> [<offset> <threads>]
-- Each line of the file is "<path>" or "<path>\t<If-None-Match value>".
-- The threads take turns through the lines (thread k sends lines offset+k, offset+k+threads, …),
-- so no two threads send the same line, and a later run given the number of requests already sent
-- as its offset goes on where the last one stopped: on a list of distinct URLs ("uncached"), no
-- request repeats one sent before until the list is used up.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  local file = assert(io.open(args[1], "r"), "cannot open the requests file " .. tostring(args[1]))
  for line in file:lines() do
    if line ~= "" then
      local path, etag = line:match("^([^\t]+)\t?(.*)$")
      local headers = {}
      if etag ~= nil and etag ~= "" then
        headers["If-None-Match"] = etag
      end
      table.insert(lines, wrk.format("GET", path, headers))
    end
  end
  file:close()
  offset = tonumber(args[2] or "0")
  step = tonumber(args[3] or "1")
  counter = 0
  statuses = {}
end

function request()
  local index = offset + id + counter * step
  counter = counter + 1
  return lines[(index % #lines) + 1]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  -- Where the next run must start so that it repeats no line: past every thread's last one.
  local next_offset = 0
  for _, thread in ipairs(threads) do
    local after = thread:get("offset") + thread:get("id") + thread:get("counter") * thread:get("step")
    if after > next_offset then
      next_offset = after
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "rps": %.2f, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f, "mean": %.3f, "max": %.3f}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "statuses": {%s}, ' ..
    '"next_offset": %d}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", "), next_offset))
end
