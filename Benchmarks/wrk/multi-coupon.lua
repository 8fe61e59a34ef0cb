-- POST /v1/coupons/<id>/issues spread over several coupons (one after another), a new user per
-- request (unique per thread and request).
-- Usage: wrk -s multi-coupon.lua http://host:port -- <couponId>… <user prefix, unique per run>
local counter = 0
local threads = 0
-- `tid` is set per thread by setup(): a local of that name here would hide it.
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args)
  coupons = {}
  for i = 1, #args - 1 do coupons[i] = args[i] end
  prefix = args[#args]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  counter = counter + 1
  local coupon = coupons[counter % #coupons + 1]
  return wrk.format(nil, "/v1/coupons/" .. coupon .. "/issues", nil,
    '{"userId":"' .. prefix .. tid .. '-' .. counter .. '"}')
end
