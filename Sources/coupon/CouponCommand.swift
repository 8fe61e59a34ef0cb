import ArgumentParser

@main
struct CouponCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon",
        abstract: "First-come coupon issuance over an append-only log in Redis.",
        subcommands: [
            Serve.self, Worker.self, Init.self, Migrate.self, Replay.self, Coupons.self, Audit.self, Recover.self,
        ]
    )
}
