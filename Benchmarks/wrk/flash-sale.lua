-- The flash sale's raw peak: POST /v1/coupons/<id>/issues as users drawn at random from
-- fan-1 … fan-<users> (so most of them press more than once), counting every status. At the end
-- it writes one JSON object (requests, statuses, latency percentiles in ms) to $WRK_REPORT.
-- Usage: WRK_REPORT=out.json wrk -s flash-sale.lua http://host:port -- <couponId> <users>
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  path = "/v1/coupons/" .. args[1] .. "/issues"
  users = tonumber(args[2])
  statuses = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  return wrk.format(nil, path, nil, '{"userId":"fan-' .. math.random(1, users) .. '"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do merged[status] = (merged[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(merged) do table.insert(parts, string.format('"%d": %d', status, n)) end
  local seconds = summary.duration / 1e6
  local out = io.open(os.getenv("WRK_REPORT") or "wrk-report.json", "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "requestsPerSecond": %.1f, "errors": %d, "statuses": {%s}, ' ..
    '"p50Ms": %.3f, "p90Ms": %.3f, "p99Ms": %.3f, "maxMs": %.3f}\n',
    summary.requests, seconds, summary.requests / seconds,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", "), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  out:close()
end
