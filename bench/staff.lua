-- The staff queue as an agent filters it: open requests of one category (a different one each time), a page of 50.
local cookie = os.getenv("BENCH_COOKIE")
local services = {"proprete", "mobilier", "espaces-verts", "signalisation", "fuite-eau", "animal-mort"}
math.randomseed(2)
request = function()
  local path = "/api/v1/staff/requests?status=open&limit=50&service=" .. services[math.random(#services)]
  return wrk.format("GET", path, {["Cookie"] = cookie})
end
