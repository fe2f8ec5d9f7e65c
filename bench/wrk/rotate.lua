-- wrk script for the benchmark: rotate through the request lines of a file, count statuses, and
-- print one JSON line (prefixed "BENCH_JSON ") with latency percentiles and throughput at the end.
--
-- Usage: wrk ... -s bench/wrk/rotate.lua <url> -- <requests-file>
-- Each line of the file is "<path>" or "<path>\t<If-None-Match value>".

local threads = {}

function setup(thread)
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
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  return lines[((counter - 1) % #lines) + 1]
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
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "rps": %.2f, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f, "mean": %.3f, "max": %.3f}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
