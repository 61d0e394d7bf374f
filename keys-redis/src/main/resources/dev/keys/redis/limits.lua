-- keys-redis: the token buckets of one request, every bandwidth taken or none, in one atomic call
-- (docs/contract.md §7). Time comes from the caller, never from Redis's clock, so that tests need no sleeping.
--
-- A bandwidth is a lane: one field of a bucket's hash. Its value holds the GCRA state in units of 1/limit ns, in
-- which a token is exactly `duration` units and nothing is ever rounded: tat (when the lane is full again) and seen
-- (the latest time a caller judged it at, so a clock going back counts as no time passed), then the leases of
-- LOCAL_FIRST instances, each an id of 16 characters, its units and its expiry. Every number is a non-negative
-- integer below 10^48, worked on as four limbs in base 10^12 in locals (no tables), which Lua's doubles and their
-- sums hold exactly; it travels and is stored as those four limbs, big-endian doubles (32 bytes), so that one
-- struct.unpack reads it and one struct.pack writes it (decimal text cost a sub and a tonumber per limb).
--
-- KEYS: the hashes. ARGV: op ('take', 'peek' or 'give'), lane count, now in ns since -2^63, the id of the lease being
-- reported ('' for none), the id and expiry of a new lease ('' for none), one ttl in ms per key, then seven values
-- per lane: key index, field, now (units), cost, room (capacity less cost, in units), the report of the old lease
-- (units used .. its uses' own tat, or ''), and the new lease as its units .. the room left for it ('' for none).
-- Reply: 0 refused, 1 taken, 2 taken and leased; then per lane its value after the call ('' for a lane never used)
-- and what other leases hold ('' for nothing).
local sub, unpack, pack, tonumber, B = string.sub, struct.unpack, struct.pack, tonumber, 1e12

local function num(s, at)
  local a, b, c, d = unpack('>dddd', s, at)
  return a, b, c, d
end
local function str(a, b, c, d)
  return pack('>dddd', a, b, c, d)
end
local function lt(a, b, c, d, e, f, g, h) -- (a, b, c, d) < (e, f, g, h)
  if a ~= e then return a < e end
  if b ~= f then return b < f end
  if c ~= g then return c < g end
  return d < h
end
local function add(a, b, c, d, e, f, g, h)
  local k = 0
  d = d + h; if d >= B then d = d - B; k = 1 else k = 0 end
  c = c + g + k; if c >= B then c = c - B; k = 1 else k = 0 end
  b = b + f + k; if b >= B then b = b - B; k = 1 else k = 0 end
  return a + e + k, b, c, d
end
local function minus(a, b, c, d, e, f, g, h) -- (a, b, c, d) >= (e, f, g, h)
  local k = 0
  d = d - h; if d < 0 then d = d + B; k = 1 else k = 0 end
  c = c - g - k; if c < 0 then c = c + B; k = 1 else k = 0 end
  b = b - f - k; if b < 0 then b = b + B; k = 1 else k = 0 end
  return a - e - k, b, c, d
end

local op, n, reported, leaseId = ARGV[1], tonumber(ARGV[2]), ARGV[4], ARGV[5]
local x1, x2, x3, x4 = num(ARGV[3], 1) -- now in ns, for the expiry of leases
local first = 7 + #KEYS
local lanes = {}
local fitsCost, fitsLease = true, leaseId ~= ''
for i = 1, n do
  local a = first + (i - 1) * 7
  local ki = tonumber(ARGV[a])
  local key, field = KEYS[ki], ARGV[a + 1]
  local v = redis.call('HGET', key, field)
  local t1, t2, t3, t4, s1, s2, s3, s4 = 0, 0, 0, 0, 0, 0, 0, 0
  if v then
    t1, t2, t3, t4 = num(v, 1)
    s1, s2, s3, s4 = num(v, 33)
  end
  local n1, n2, n3, n4 = num(ARGV[a + 2], 1)
  local changed = false
  if lt(n1, n2, n3, n4, s1, s2, s3, s4) then
    n1, n2, n3, n4 = s1, s2, s3, s4
  elseif lt(s1, s2, s3, s4, n1, n2, n3, n4) then
    changed = true
  end
  local o1, o2, o3, o4 = 0, 0, 0, 0
  local keep
  if v and #v > 64 then
    keep = {}
    for at = 65, #v, 80 do
      local id = sub(v, at, at + 15)
      if id == reported then
        -- the caller's last lease: its uses count as they were made (their own GCRA, applied after what is here)
        local rep = ARGV[a + 5]
        local u1, u2, u3, u4 = add(t1, t2, t3, t4, num(rep, 1))
        local m1, m2, m3, m4 = num(rep, 33)
        if lt(u1, u2, u3, u4, m1, m2, m3, m4) then u1, u2, u3, u4 = m1, m2, m3, m4 end
        t1, t2, t3, t4 = u1, u2, u3, u4
        changed = true
      else
        local e1, e2, e3, e4 = num(v, at + 48)
        if not lt(x1, x2, x3, x4, e1, e2, e3, e4) then
          -- a lease that lapsed unreported counts as wholly spent, now
          if lt(t1, t2, t3, t4, n1, n2, n3, n4) then t1, t2, t3, t4 = n1, n2, n3, n4 end
          t1, t2, t3, t4 = add(t1, t2, t3, t4, num(v, at + 16))
          changed = true
        else
          keep[#keep + 1] = sub(v, at, at + 79)
          o1, o2, o3, o4 = add(o1, o2, o3, o4, num(v, at + 16))
        end
      end
    end
  end
  -- debt: what the lane owes at now, plus what other leases hold
  local d1, d2, d3, d4 = 0, 0, 0, 0
  if lt(n1, n2, n3, n4, t1, t2, t3, t4) then d1, d2, d3, d4 = minus(t1, t2, t3, t4, n1, n2, n3, n4) end
  d1, d2, d3, d4 = add(d1, d2, d3, d4, o1, o2, o3, o4)
  local r1, r2, r3, r4 = num(ARGV[a + 4], 1)
  if lt(r1, r2, r3, r4, d1, d2, d3, d4) then fitsCost = false end
  if fitsLease then
    r1, r2, r3, r4 = num(ARGV[a + 6], 33)
    if lt(r1, r2, r3, r4, d1, d2, d3, d4) then fitsLease = false end
  end
  lanes[i] = {key = key, field = field, ttl = ARGV[6 + ki], v = v, changed = changed, keep = keep, at = a,
    t1 = t1, t2 = t2, t3 = t3, t4 = t4, n1 = n1, n2 = n2, n3 = n3, n4 = n4,
    out = (o1 + o2 + o3 + o4 > 0) and str(o1, o2, o3, o4) or ''}
end

local status = 0
if op == 'take' and fitsCost then
  status = 1
  if fitsLease then status = 2 end
end
local reply = {status}
local touched = {}
for i = 1, n do
  local l = lanes[i]
  local value = l.v or ''
  if op ~= 'peek' and (status > 0 or l.changed) then
    local t1, t2, t3, t4 = l.t1, l.t2, l.t3, l.t4
    if status > 0 then
      if lt(t1, t2, t3, t4, l.n1, l.n2, l.n3, l.n4) then t1, t2, t3, t4 = l.n1, l.n2, l.n3, l.n4 end
      t1, t2, t3, t4 = add(t1, t2, t3, t4, num(ARGV[l.at + 3], 1))
    end
    local p = {str(t1, t2, t3, t4), str(l.n1, l.n2, l.n3, l.n4)}
    if l.keep then for _, r in ipairs(l.keep) do p[#p + 1] = r end end
    if status == 2 then p[#p + 1] = leaseId .. sub(ARGV[l.at + 6], 1, 32) .. ARGV[6] end
    value = table.concat(p)
    redis.call('HSET', l.key, l.field, value)
    touched[l.key] = l.ttl
  end
  reply[#reply + 1] = sub(value, 1, 64)
  reply[#reply + 1] = l.out
end
-- expire when idle; a ttl only grows, because lanes of other keys may share a hash and need longer
for key, ttl in pairs(touched) do
  if redis.call('PTTL', key) < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
end
return reply
