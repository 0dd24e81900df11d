-- For wrk: counts responses by status across all threads and prints, when the run is done,
-- one "status CODE COUNT" line per status and one "errors ..." line with wrk's socket errors.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    counts = {}
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("counts")) do
            total[status] = (total[status] or 0) + n
        end
    end
    for status, n in pairs(total) do
        io.write(string.format("status %d %d\n", status, n))
    end
    local e = summary.errors
    io.write(string.format("errors connect %d read %d write %d timeout %d\n", e.connect, e.read, e.write, e.timeout))
    io.write(string.format("latency p99 %.1f ms\n", latency:percentile(99) / 1000))
end
