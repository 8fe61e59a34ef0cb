-- POST /v1/coupons/<id>/issues with one fixed body, built once like wrk's own requests (no Lua per
-- request): the same request over and over, to compare the server's cost with GET /healthz's
-- without the load generator's per-request work in the way.
-- Usage: wrk -s static-post.lua http://host:port -- <couponId> <userId>
function init(args)
  wrk.path = "/v1/coupons/" .. args[1] .. "/issues"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"userId":"' .. args[2] .. '"}'
end
