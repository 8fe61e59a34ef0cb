import CouponCore
import Foundation
import Testing

@Suite struct UserIDTests {
    @Test(arguments: ["u-42", "a", String(repeating: "x", count: 64), "user@example.com", "ユーザー", "with space"])
    func acceptsPrintableIdsUpTo64Characters(_ id: String) throws {
        #expect(try UserID(id).value == id)
    }

    @Test(arguments: [
        "", String(repeating: "x", count: 65), "tab\there", "new\nline", "nul\u{0}", "del\u{7F}", "bidi\u{202E}",
    ])
    func rejectsEmptyLongAndControlCharacters(_ id: String) {
        #expect(throws: ValidationError.self) { try UserID(id) }
    }
}

@Suite struct CouponIDTests {
    @Test(arguments: ["1", "42", "9223372036854775807"])
    func parsesPositive63BitIntegers(_ text: String) throws {
        #expect(try CouponID(parsing: text).description == text)
    }

    @Test(arguments: [
        "", "0", "-1", "+1", "1.5", "abc", "9223372036854775808", "99999999999999999999", " 1", "1 ", "0x10", "١٢",
    ])
    func rejectsEverythingElse(_ text: String) {
        #expect(throws: ValidationError.self) { try CouponID(parsing: text) }
    }
}

@Suite struct StreamIDTests {
    @Test(
        arguments: [
            ("0-0", 0, 0), ("1795000000000-3", 1_795_000_000_000, 3),
            ("18446744073709551615-18446744073709551615", UInt64.max, UInt64.max), ("007-010", 7, 10),
        ] as [(String, UInt64, UInt64)])
    func parsesMillisDashSequence(_ text: String, _ millis: UInt64, _ sequence: UInt64) throws {
        let id = try #require(StreamID(text))
        #expect(id == StreamID(millis: millis, sequence: sequence))
        #expect(StreamID(id.description) == id, "its description parses back to itself")
    }

    @Test(arguments: [
        "", "-", "1-", "-1", "1", "1-2-3", "+1-2", "1-+2", "a-1", "1-b", " 1-2", "1-2 ", "1--2",
        "18446744073709551616-0", "0-18446744073709551616", "1-٣",
    ])
    func rejectsEverythingElse(_ text: String) {
        #expect(StreamID(text) == nil)
    }

    @Test func describesItselfAsRedisWritesIt() {
        #expect(StreamID.zero.description == "0-0")
        #expect(StreamID(millis: 1_796_000_184_515, sequence: 0).description == "1796000184515-0")
        #expect(StreamID(millis: 9, sequence: 10).description == "9-10")
        #expect(
            StreamID(millis: .max, sequence: .max).description == "18446744073709551615-18446744073709551615")
    }

    @Test func ordersByMillisThenSequence() throws {
        let ids = try ["10-0", "9-5", "9-10", "10-1"].map { try #require(StreamID($0)) }
        #expect(ids.sorted().map(\.description) == ["9-5", "9-10", "10-0", "10-1"])
    }
}

@Suite struct CouponDraftTests {
    @Test func acceptsAValidDefinitionAndTrimsTheName() throws {
        let draft = try CouponDraft(name: "  Nego King 500 ", quantity: 500, startsAt: nil, endsAt: nil)
        #expect(draft.name == "Nego King 500")
        #expect(draft.quantity == 500)
    }

    @Test func rejectsBadDefinitions() {
        #expect(throws: ValidationError.self) { try CouponDraft(name: "x", quantity: 0, startsAt: nil, endsAt: nil) }
        #expect(throws: ValidationError.self) { try CouponDraft(name: "x", quantity: -5, startsAt: nil, endsAt: nil) }
        #expect(throws: ValidationError.self) {
            try CouponDraft(name: "x", quantity: CouponDraft.maxQuantity + 1, startsAt: nil, endsAt: nil)
        }
        #expect(throws: ValidationError.self) { try CouponDraft(name: "   ", quantity: 1, startsAt: nil, endsAt: nil) }
        #expect(throws: ValidationError.self) { try CouponDraft(name: "x", quantity: 1, startsAt: 2000, endsAt: 2000) }
        #expect(throws: ValidationError.self) { try CouponDraft(name: "x", quantity: 1, startsAt: 3000, endsAt: 2000) }
        #expect(throws: ValidationError.self) { try CouponDraft(name: "x", quantity: 1, startsAt: -1, endsAt: nil) }
    }
}

@Suite struct IssuanceRecordTests {
    @Test func parsesTheIssuedHashRecord() throws {
        let issuance = try #require(
            Issuance(couponId: CouponID(7), userId: UserID("u"), record: "12 1795680850942-0 1795680850941"))
        #expect(issuance.seq == 12)
        #expect(issuance.eventId == "1795680850942-0")
        #expect(issuance.issuedAt == 1_795_680_850_941)
    }

    @Test(arguments: ["", "12", "x 1-0 5", "12 1-0", "12 1-0 5 extra"])
    func rejectsMalformedRecords(_ record: String) throws {
        #expect(Issuance(couponId: try CouponID(7), userId: try UserID("u"), record: record) == nil)
    }
}

@Suite struct EpochMillisTests {
    @Test func parsesISO8601WithAndWithoutFractionsAndOffsets() throws {
        #expect(try EpochMillis.parse("1970-01-01T00:00:01Z") == 1000)
        #expect(try EpochMillis.parse("1970-01-01T00:00:01.250Z") == 1250)
        #expect(try EpochMillis.parse("1970-01-01T09:00:01+09:00") == 1000)
        #expect(EpochMillis.format(1250) == "1970-01-01T00:00:01.250Z")
    }

    /// Times are written to the millisecond they hold. Foundation's ISO 8601 style, which wrote
    /// them before, goes through a `Double` of seconds and truncates: about half of all times
    /// came out a millisecond early (`…00.123` as `…00.122`), so a 201's `issuedAt` could differ
    /// from its event's `at`.
    @Test(
        arguments: [
            (0, "1970-01-01T00:00:00.000Z"), (999, "1970-01-01T00:00:00.999Z"),
            (86_399_999, "1970-01-01T23:59:59.999Z"), (86_400_000, "1970-01-02T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"), (951_868_799_999, "2000-02-29T23:59:59.999Z"),
            (1_709_164_800_000, "2024-02-29T00:00:00.000Z"), (1_764_892_800_123, "2025-12-05T00:00:00.123Z"),
            (4_107_542_400_000, "2100-03-01T00:00:00.000Z"), (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ] as [(Int64, String)])
    func formatsTheMillisecondItHolds(_ millis: Int64, _ text: String) throws {
        #expect(EpochMillis.format(millis) == text)
        #expect(try EpochMillis.parse(text) == millis)
    }

    /// At random times over the whole range: the calendar part is Foundation's (whole seconds
    /// are exact as a `Double`), the fraction is the milliseconds, and parsing gives the time back.
    @Test func formatsAnyTimeOfTheRangeAndParsesItBack() throws {
        let foundation = Date.ISO8601FormatStyle()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let millis = Int64.random(in: 0...CouponDraft.latestTime, using: &generator)
            let text = EpochMillis.format(millis)
            let seconds = foundation.format(Date(timeIntervalSince1970: Double(millis / 1000)))
            let expected = "\(seconds.dropLast())." + String(String(1000 + millis % 1000).dropFirst()) + "Z"
            guard text == expected, try EpochMillis.parse(text) == millis else {
                Issue.record("\(millis): \(text), expected \(expected)")
                return
            }
        }
    }

    @Test(arguments: ["tomorrow", "2026-13-01T00:00:00Z", "", "1969-12-31T23:59:59Z"])
    func rejectsNonTimes(_ text: String) {
        #expect(throws: ValidationError.self) { try EpochMillis.parse(text) }
    }
}

@Suite struct PartitioningTests {
    @Test func keysOfOnePartitionShareTheHashTag() throws {
        let partitioning = try Partitioning(count: 4)
        let id = try CouponID(10)
        let p = partitioning.partition(of: id)
        #expect(p == 2)
        #expect(Partitioning.couponKey(p, id) == "cpn:{2}:coupon:10")
        #expect(Partitioning.issuedKey(p, id) == "cpn:{2}:coupon:10:issued")
        #expect(Partitioning.eventsKey(p) == "cpn:{2}:events")
        #expect(Partitioning.generationKey(p) == "cpn:{2}:gen")
        #expect(Partitioning.deadKey(p) == "cpn:{2}:dead")
        #expect(throws: ValidationError.self) { try Partitioning(count: 0) }
    }
}

@Suite struct RateReportTests {
    let definition = CouponEvent.Defined(
        coupon: try! CouponID(7), name: "r", total: 4, startsAt: 10_000, endsAt: 99_000, at: 9_000)

    func issued(_ seq: Int64, at: Int64) throws -> Issuance {
        Issuance(couponId: try CouponID(7), userId: try UserID("u\(seq)"), seq: seq, eventId: "\(at)-0", issuedAt: at)
    }

    @Test func bucketsRunFromTheFirstToTheLastWithEmptyOnesAndTheSellOut() throws {
        let issued = try [issued(1, at: 10_100), issued(2, at: 10_900), issued(3, at: 13_500), issued(4, at: 13_999)]
        let report = RateReport(definition: definition, issued: issued.reversed(), bucket: .second)
        #expect(report.buckets.map(\.start) == [10_000, 11_000, 12_000, 13_000])
        #expect(report.buckets.map(\.count) == [2, 0, 0, 2])
        #expect(report.soldOutAt == 13_999)
        #expect(report.secondsToSellOut == 3.999)
        let coarse = RateReport(definition: definition, issued: issued, bucket: .tenSeconds)
        #expect(coarse.buckets.map(\.start) == [10_000])
        #expect(coarse.buckets.map(\.count) == [4])
    }

    @Test func notSoldOutAndNothingIssued() throws {
        let partial = RateReport(definition: definition, issued: [try issued(1, at: 70_000)], bucket: .minute)
        #expect(partial.buckets.map(\.start) == [60_000])
        #expect(partial.soldOutAt == nil && partial.secondsToSellOut == nil)
        let none = RateReport(definition: definition, issued: [], bucket: .second)
        #expect(none.buckets.isEmpty && none.soldOutAt == nil)
    }
}

@Suite struct PayloadRoundTripTests {
    /// `coupon recover` rebuilds stream entries from archived payloads: the fields must come back
    /// in their order with their exact values, escapes and all.
    @Test func payloadJSONParsesBackToTheSameFieldsInOrder() throws {
        let fields = [
            LoggedEvent.Field("type", "CouponDefined"), LoggedEvent.Field("v", "1"), LoggedEvent.Field("coupon", "5"),
            LoggedEvent.Field("name", "Nego \"King\" \\ 500\n\tü 😀 \u{1}"), LoggedEvent.Field("total", "500"),
            LoggedEvent.Field("startsAt", "1"), LoggedEvent.Field("endsAt", "2"), LoggedEvent.Field("at", "1"),
        ]
        let logged = try LoggedEvent(partition: 1, id: StreamID(millis: 5, sequence: 0), fields: fields)
        // Byte for byte what every earlier version archived: a replay compares payloads as text.
        #expect(
            logged.payloadJSON
                == #"{"type":"CouponDefined","v":"1","coupon":"5","name":"Nego \"King\" \\ 500\n\tü 😀 \u0001","#
                + #""total":"500","startsAt":"1","endsAt":"2","at":"1"}"#)
        let members = try #require(FlatJSON.members(logged.payloadJSON))
        #expect(members.map { LoggedEvent.Field($0.name, $0.value) } == fields)
        #expect(FlatJSON.members(#"{"a":"1","a":"2"}"#) == nil, "duplicate names are refused")
    }
}
