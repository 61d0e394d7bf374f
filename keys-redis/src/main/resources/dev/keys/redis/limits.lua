-- keys-redis: the token buckets of one request, every bandwidth taken or none, in one atomic call
-- (docs/contract.md §7). Time comes from the caller, never from Redis's clock, so that tests need no sleeping.
--
-- A bandwidth is a lane: one field of a bucket's hash. Its value holds the GCRA state in units of 1/limit ns, in
-- which a token is exactly `duration` units and nothing is ever rounded: tat (when the lane is full again) and seen
-- (the latest time a caller judged it at, so a clock going back counts as no time passed), then the reservations
-- of LOCAL_FIRST instances, each an id of 16 characters, its units and its expiry. Every number is a non-negative
-- integer below 10^48 written as 48 digits; Lua's doubles hold its four 12-digit limbs and their sums exactly.
--
-- KEYS: the hashes. ARGV: op ('take', 'peek' or 'give'), lane count, now in ns since -2^63, the id of the lease
-- being reported ('' for none), the id and expiry of a new lease ('' for none), one ttl in ms per key, then seven
-- values per lane: key index, field, now (units), cost, horizon (capacity in units), the report of the old lease
-- (units used .. its uses' own tat, or ''), the units of the new lease ('' for none).
-- Reply: 0 refused, 1 taken, 2 taken and leased; then per lane the debt it was judged with (tat - now, at least 0,
-- plus what other leases hold), what other leases hold, and the now it was judged at.
local W, B = 4, 1e12
local ZERO = {0, 0, 0, 0}

local function num(s, at)
  local t = {}
  for i = 1, W do t[i] = tonumber(string.sub(s, at + 12 * i - 12, at + 12 * i - 1)) end
  return t
end
local function str(t)
  return string.format('%012d%012d%012d%012d', t[1], t[2], t[3], t[4])
end
local function cmp(a, b)
  for i = 1, W do
    if a[i] ~= b[i] then
      if a[i] < b[i] then return -1 end
      return 1
    end
  end
  return 0
end
local function add(a, b)
  local r, c = {}, 0
  for i = W, 1, -1 do
    local s = a[i] + b[i] + c
    if s >= B then r[i] = s - B; c = 1 else r[i] = s; c = 0 end
  end
  return r
end
local function sub(a, b) -- a >= b
  local r, c = {}, 0
  for i = W, 1, -1 do
    local s = a[i] - b[i] - c
    if s < 0 then r[i] = s + B; c = 1 else r[i] = s; c = 0 end
  end
  return r
end
local function max(a, b)
  if cmp(a, b) >= 0 then return a end
  return b
end

local op, n, nowNs, reported, leaseId, leaseExp = ARGV[1], tonumber(ARGV[2]), num(ARGV[3], 1), ARGV[4], ARGV[5], ARGV[6]
local first = 7 + #KEYS
local lanes = {}
local fitsCost, fitsLease = true, leaseId ~= ''
for i = 1, n do
  local a = first + (i - 1) * 7
  local ki = tonumber(ARGV[a])
  local l = {key = KEYS[ki], field = ARGV[a + 1], ttl = ARGV[6 + ki]}
  local v = redis.call('HGET', l.key, l.field)
  local tat, seen, held = ZERO, ZERO, {}
  if v then
    tat = num(v, 1)
    seen = num(v, 49)
    for at = 97, #v, 112 do
      held[#held + 1] = {id = string.sub(v, at, at + 15), units = num(v, at + 16), exp = num(v, at + 64)}
    end
  end
  local now = max(num(ARGV[a + 2], 1), seen)
  local changed = cmp(now, seen) ~= 0
  local keep, out = {}, ZERO
  for _, r in ipairs(held) do
    if r.id == reported then
      -- the caller's last lease: its uses count as they were made (their own GCRA, applied after what is here)
      local rep = ARGV[a + 5]
      tat = max(add(tat, num(rep, 1)), num(rep, 49))
      changed = true
    elseif cmp(r.exp, nowNs) <= 0 then
      -- a lease that lapsed unreported counts as wholly used, now
      tat = add(max(tat, now), r.units)
      changed = true
    else
      keep[#keep + 1] = r
      out = add(out, r.units)
    end
  end
  local d = ZERO
  if cmp(tat, now) > 0 then d = sub(tat, now) end
  local debt = add(d, out)
  local cost, horizon = num(ARGV[a + 3], 1), num(ARGV[a + 4], 1)
  local after = add(debt, cost)
  if cmp(after, horizon) > 0 then fitsCost = false end
  local lease = ARGV[a + 6]
  if fitsLease then
    lease = num(lease, 1)
    if cmp(add(after, lease), horizon) > 0 then fitsLease = false end
  end
  l.tat, l.now, l.d, l.out, l.debt, l.cost, l.lease, l.keep, l.changed = tat, now, d, out, debt, cost, lease, keep, changed
  lanes[i] = l
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
  reply[#reply + 1] = str(l.debt)
  reply[#reply + 1] = str(l.out)
  reply[#reply + 1] = str(l.now)
  if op ~= 'peek' and (status > 0 or l.changed) then
    local tat, keep = l.tat, l.keep
    if status > 0 then tat = add(add(l.now, l.d), l.cost) end
    if status == 2 then keep[#keep + 1] = {id = leaseId, units = l.lease, exp = num(leaseExp, 1)} end
    local p = {str(tat), str(l.now)}
    for _, r in ipairs(keep) do p[#p + 1] = r.id .. str(r.units) .. str(r.exp) end
    redis.call('HSET', l.key, l.field, table.concat(p))
    touched[l.key] = l.ttl
  end
end
-- expire when idle; a ttl only grows, because lanes of other keys may share a hash and need longer
for key, ttl in pairs(touched) do
  if redis.call('PTTL', key) < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
end
return reply
