-- POST an issue body that passes JSON decoding but fails validation (empty userId): the server
-- does everything a real issue does except the Redis round trip, and answers 400.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"userId":""}'
