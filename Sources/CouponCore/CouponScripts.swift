/// The Lua scripts the service runs in Redis. Each touches the keys of one partition only.
///
/// Every script starts with a `#!lua` shebang: Redis then knows whether it writes before it
/// runs, and refuses a writing script up front under memory pressure instead of half-running it.
/// Every check comes before the first write, so a refusal leaves no trace. Numbers go out through
/// `string.format('%d')`, never `tostring`, which would print large epoch milliseconds as `1e+14`.
public enum CouponScripts {
    /// Admission of one or many requests of one partition, decided one after another in the
    /// order given, each with the same checks in the same order, each its own event.
    /// KEYS: generation, events stream, then per request its coupon hash and issued hash.
    /// ARGV, per request: coupon id, user id, request id ('' when none).
    /// The holder check comes before the window: a holder who retries after the end still learns
    /// what they hold (409 with the issuance); only non-holders get NOT_STARTED / ENDED.
    /// Answers one `{OUTCOME, detail?}` per request; the issued record is `"seq eventId issuedAtMs"`.
    /// The clock is read once: the script is atomic, so every request of the run is decided at
    /// that instant. For the same reason a coupon's definition and issued count are read once per
    /// coupon per run: nothing else changes them while the script runs, and the count grows by one
    /// with each issuance this run makes (the user was not in the hash: the holder check said so).
    public static let admit = """
        #!lua
        local n = #ARGV / 3
        local answers = {}
        if redis.call('EXISTS', KEYS[1]) == 0 then
          for i = 1, n do answers[i] = {\(ScriptOutcome.unavailable.lua)} end
          return answers
        end
        local now, at
        local defs, counts = {}, {}
        local function admit(couponKey, issuedKey, coupon, user, req)
          local def = defs[couponKey]
          if not def then
            def = redis.call('HMGET', couponKey, 'total', 'startsAt', 'endsAt')
            defs[couponKey] = def
          end
          if not def[1] then return {\(ScriptOutcome.notFound.lua)} end
          local prior = redis.call('HGET', issuedKey, user)
          if prior then return {\(ScriptOutcome.alreadyIssued.lua), prior} end
          if not now then
            local t = redis.call('TIME')
            now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            at = string.format('%d', now)
          end
          if now < tonumber(def[2]) then return {\(ScriptOutcome.notStarted.lua), def[2]} end
          if now >= tonumber(def[3]) then return {\(ScriptOutcome.ended.lua), def[3]} end
          local issued = counts[issuedKey] or redis.call('HLEN', issuedKey)
          counts[issuedKey] = issued
          if issued >= tonumber(def[1]) then return {\(ScriptOutcome.soldOut.lua), def[1]} end
          local seq = string.format('%d', issued + 1)
          local id
          if req == '' then
            id = redis.call('XADD', KEYS[2], '*', 'type', '\(CouponEvent.typeIssued)', 'v', '1', 'coupon', coupon,
              'user', user, 'seq', seq, 'at', at)
          else
            id = redis.call('XADD', KEYS[2], '*', 'type', '\(CouponEvent.typeIssued)', 'v', '1', 'coupon', coupon,
              'user', user, 'seq', seq, 'at', at, 'req', req)
          end
          local record = seq .. ' ' .. id .. ' ' .. at
          redis.call('HSET', issuedKey, user, record)
          counts[issuedKey] = issued + 1
          return {\(ScriptOutcome.issued.lua), record}
        end
        for i = 1, n do
          answers[i] = admit(KEYS[1 + 2 * i], KEYS[2 + 2 * i], ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i])
        end
        return answers
        """

    /// Definition. KEYS: generation, coupon-id counter, events stream.
    /// ARGV: partition p, partition count P, name, total, startsAt ('' = now), endsAt ('' = start + 24 h),
    /// coupon key prefix of the partition.
    /// The coupon key is derived inside the script from the counter; it carries the same `{p}` tag.
    public static let define = """
        #!lua
        if redis.call('EXISTS', KEYS[1]) == 0 then return {\(ScriptOutcome.unavailable.lua)} end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local startsAt = now
        if ARGV[5] ~= '' then startsAt = tonumber(ARGV[5]) end
        local endsAt = startsAt + \(CouponDraft.defaultWindow)
        if ARGV[6] ~= '' then endsAt = tonumber(ARGV[6]) end
        if endsAt <= startsAt then
          return {\(ScriptOutcome.invalidWindow.lua), string.format('%d', startsAt), string.format('%d', endsAt)}
        end
        local id, key
        repeat
          id = string.format('%d', redis.call('INCR', KEYS[2]) * tonumber(ARGV[2]) + tonumber(ARGV[1]))
          key = ARGV[7] .. id
        until redis.call('EXISTS', key) == 0
        local s, e, at = string.format('%d', startsAt), string.format('%d', endsAt), string.format('%d', now)
        local eventId = redis.call('XADD', KEYS[3], '*', 'type', '\(CouponEvent.typeDefined)', 'v', '1', 'coupon', id,
          'name', ARGV[3], 'total', ARGV[4], 'startsAt', s, 'endsAt', e, 'at', at)
        redis.call('HSET', key, 'name', ARGV[3], 'total', ARGV[4], 'startsAt', s, 'endsAt', e,
          'definedEventId', eventId, 'definedAt', at)
        return {\(ScriptOutcome.defined.lua), id, s, e, eventId, at}
        """

    /// Read a coupon and its issued count in one consistent step. KEYS: generation, coupon, issued.
    public static let show = """
        #!lua flags=no-writes
        if redis.call('EXISTS', KEYS[1]) == 0 then return {\(ScriptOutcome.unavailable.lua)} end
        local d = redis.call('HMGET', KEYS[2], 'name', 'total', 'startsAt', 'endsAt', 'definedEventId', 'definedAt')
        if not d[1] then return {\(ScriptOutcome.notFound.lua)} end
        return {\(ScriptOutcome.found.lua), d[1], d[2], d[3], d[4], d[5] or '', d[6] or '0',
          string.format('%d', redis.call('HLEN', KEYS[3]))}
        """

    /// Read one user's issuance. KEYS: generation, coupon, issued. ARGV: user id.
    public static let issuance = """
        #!lua flags=no-writes
        if redis.call('EXISTS', KEYS[1]) == 0 then return {\(ScriptOutcome.unavailable.lua)} end
        if redis.call('EXISTS', KEYS[2]) == 0 then return {\(ScriptOutcome.notFound.lua)} end
        local record = redis.call('HGET', KEYS[3], ARGV[1])
        if not record then return {\(ScriptOutcome.notIssued.lua)} end
        return {\(ScriptOutcome.issued.lua), record}
        """

    /// Dead-lettering. KEYS: events stream, dead stream. ARGV: group, entry id, reason, deliveries,
    /// consumer. Copies the entry (its fields prefixed `event.`) to the dead stream and acknowledges
    /// it, in one step, and only while it is still pending: two workers cannot both move it.
    public static let deadLetter = """
        #!lua
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
        if #pending == 0 then return 0 end
        local fields = {'source', KEYS[1], 'sourceId', ARGV[2], 'reason', ARGV[3], 'deliveries', ARGV[4],
          'consumer', ARGV[5]}
        local entries = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
        if entries[1] then
          local original = entries[1][2]
          for i = 1, #original, 2 do
            table.insert(fields, 'event.' .. original[i])
            table.insert(fields, original[i + 1])
          end
        end
        redis.call('XADD', KEYS[2], '*', unpack(fields))
        return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        """

    /// Removing dead consumers. KEYS: events stream. ARGV: group, this consumer, idle ms.
    /// Deletes every other consumer of the group that holds no pending entry and has been idle
    /// at least that long; answers their names. Checked and deleted in one step: deleting a
    /// consumer drops its pending entries, so one that still holds any is never touched.
    public static let removeIdleConsumers = """
        #!lua
        local removed = {}
        for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
          local info = {}
          for i = 1, #consumer, 2 do info[consumer[i]] = consumer[i + 1] end
          if info['name'] ~= ARGV[2] and info['pending'] == 0 and info['idle'] >= tonumber(ARGV[3]) then
            redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
            table.insert(removed, info['name'])
          end
        end
        return removed
        """

    /// Recovery of a stream. KEYS: events stream. ARGV, per entry: its id, its field count k, then
    /// k names and values. Appends the entries with their original ids (so they must come in log
    /// order, after whatever the stream holds); answers how many it appended.
    public static let restoreEntries = """
        #!lua
        local i, added = 1, 0
        while i <= #ARGV do
          local k = tonumber(ARGV[i + 1])
          local fields = {}
          for j = 1, k * 2 do fields[j] = ARGV[i + 1 + j] end
          redis.call('XADD', KEYS[1], ARGV[i], unpack(fields))
          i = i + 2 + k * 2
          added = added + 1
        end
        return added
        """
}
