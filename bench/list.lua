-- Public bbox list: a different 800 m x 660 m box around Brenles on every request (no cache can help).
local lat0, lon0 = tonumber(os.getenv("BENCH_LAT")), tonumber(os.getenv("BENCH_LON"))
local path = os.getenv("BENCH_PATH")
math.randomseed(1)
request = function()
  local lat = lat0 + (math.random() - 0.5) * 0.02
  local lon = lon0 + (math.random() - 0.5) * 0.03
  return wrk.format("GET", string.format("%s?bbox=%.5f,%.5f,%.5f,%.5f&status=open&limit=50",
    path, lon - 0.004, lat - 0.003, lon + 0.004, lat + 0.003))
end
