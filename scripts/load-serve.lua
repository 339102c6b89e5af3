-- wrk script for scripts/load-serve.py: spreads requests over the pages
-- listed (one path per line) in the file named by the PATHS variable.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  paths[#paths + 1] = line
end
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
