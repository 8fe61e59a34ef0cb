import CouponLedger
import Hummingbird

/// Liveness (the process answers) and readiness (Redis reachable, deployment initialised).
struct HealthController<Ledger: CouponLedger> {
    let ledger: Ledger

    struct Status: JSONWritable {
        let status: String
        let reason: String?

        func write(to writer: inout JSONWriter) {
            writer.object { o in
                if let reason { o.member("reason", reason) }
                o.member("status", status)
            }
        }
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("healthz") { _, _ in
            JSONResponse.make(status: .ok, Status(status: "ok", reason: nil))
        }
        router.get("readyz") { _, _ in
            let readiness = await ledger.readiness()
            if readiness.ready { return JSONResponse.make(status: .ok, Status(status: "ready", reason: nil)) }
            return JSONResponse.make(status: .serviceUnavailable, Status(status: "not ready", reason: readiness.reason))
        }
    }
}
