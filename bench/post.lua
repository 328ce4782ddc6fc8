-- A POST of a fixed body: BENCH_BODY (JSON, as the PWA sends a report without photo) or the bytes of
-- BENCH_BODY_FILE with BENCH_CONTENT_TYPE (a multipart report with a 12 MP photo).
wrk.method = "POST"
local path = os.getenv("BENCH_BODY_FILE")
if path then
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
else
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/json"
end
