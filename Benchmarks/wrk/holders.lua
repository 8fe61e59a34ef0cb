-- POST /v1/coupons/<id>/issues as users <prefix>1 … <prefix><n> chosen at random: holders of a
-- coupon pressing the button again (each answer a 409 with their issuance).
-- Usage: wrk -s holders.lua http://host:port -- <couponId> <prefix> <n>
function init(args)
  path = "/v1/coupons/" .. args[1] .. "/issues"
  prefix = args[2]
  n = tonumber(args[3])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.format(nil, path, nil, '{"userId":"' .. prefix .. math.random(1, n) .. '"}')
end
