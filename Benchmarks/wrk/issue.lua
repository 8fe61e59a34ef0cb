-- POST /v1/coupons/<id>/issues with a user id that is unique per thread and request, so a
-- large coupon answers 201 every time and a small one sells out exactly once per user.
-- Usage: wrk -s issue.lua http://host:port -- <couponId> <user prefix, unique per run>
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  coupon = args[1]
  prefix = args[2] or "w"
  counter = 0
  path = "/v1/coupons/" .. coupon .. "/issues"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, path, nil, '{"userId":"' .. prefix .. tid .. '-' .. counter .. '"}')
end
