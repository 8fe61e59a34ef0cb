import CouponLedger
import Hummingbird

/// Liveness (the process answers) and readiness (Redis reachable, deployment initialised).
struct HealthController<Ledger: CouponLedger> {
    let ledger: Ledger

    typealias Status = HealthStatus

    func addRoutes(to router: Router<some RequestContext>) {
        HealthStatus.addLiveness(to: router)
        router.get("readyz") { _, _ in
            let readiness = await ledger.readiness()
            if readiness.ready { return JSONResponse.make(status: .ok, Status(status: "ready", reason: nil)) }
            return JSONResponse.make(status: .serviceUnavailable, Status(status: "not ready", reason: readiness.reason))
        }
    }
}

/// `{"status", "reason"?}`: the health routes' answer, for the API and a worker's metrics port.
struct HealthStatus: JSONWritable {
    let status: String
    let reason: String?

    func write(to writer: inout JSONWriter) {
        writer.object { o in
            if let reason { o.member("reason", reason) }
            o.member("status", status)
        }
    }

    /// `GET /healthz`: the process answers.
    static func addLiveness(to router: Router<some RequestContext>) {
        router.get("healthz") { _, _ in JSONResponse.make(status: .ok, HealthStatus(status: "ok", reason: nil)) }
    }
}
