import Foundation
import Redis

/// A real Redis Cluster on loopback: six `redis-server` processes (three masters, one replica
/// each), made with `redis-cli --cluster create … --cluster-replicas 1`. Killed with the object.
public final class RedisCluster: @unchecked Sendable {
    // @unchecked: the node list never changes; tests stop nodes from one task.
    public let nodes: [RedisServer]

    /// Every node as a seed: `redis://127.0.0.1:p1,127.0.0.1:p2,…`.
    public var url: String { "redis://" + nodes.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") }

    public var configuration: RedisConfiguration {
        get throws { try RedisConfiguration(url: url) }
    }

    public init() async throws {
        var nodes: [RedisServer] = []
        for _ in 0..<6 {
            nodes.append(
                try await RedisServer(
                    port: try FreePort.withClusterBus(),
                    arguments: [
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        // Failover within ~2 s of a master's death, not the default 15.
                        "--cluster-node-timeout", "1000", "--appendfsync", "always",
                        // A replica syncs at once (Redis 7 waits 5 s for more replicas by default);
                        // one that never synced cannot be promoted.
                        "--repl-diskless-sync-delay", "0",
                    ]))
        }
        self.nodes = nodes
        // redis-cli waits for the nodes to join, in seconds: off the concurrency pool (`offThePool`).
        let create =
            ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + [
                "--cluster-replicas", "1", "--cluster-yes",
            ]
        _ = try await offThePool { try Self.cli(create) }
        try await waitUntilHealthy(replicasInSync: true)
    }

    /// Until every running node reports `cluster_state:ok` and agrees on three masters, and with
    /// `replicasInSync` until every master has a replica that finished its sync. Each look runs
    /// off the concurrency pool (a dozen `redis-cli` calls).
    public func waitUntilHealthy(replicasInSync: Bool = false, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await offThePool({ self.isHealthy(replicasInSync: replicasInSync) }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("the cluster did not become healthy: \((try? nodesTable()) ?? "")")
    }

    private func isHealthy(replicasInSync: Bool) -> Bool {
        let running = nodes.filter { $0.pid != 0 }
        let healthy = running.allSatisfy { node in
            let info = (try? Self.cli(["-p", String(node.port), "CLUSTER", "INFO"])) ?? ""
            return info.contains("cluster_state:ok")
        }
        if healthy, let masters = try? masters(), masters.count == 3 {
            let synced = masters.allSatisfy { master in
                let info = (try? Self.cli(["-p", String(master.port), "INFO", "replication"])) ?? ""
                return info.contains("connected_slaves:1") && info.contains("state=online")
            }
            return synced || !replicasInSync
        }
        return false
    }

    /// `CLUSTER NODES` as one running node sees it.
    public func nodesTable() throws -> String {
        guard let node = nodes.first(where: { $0.pid != 0 }) else { return "" }
        return try Self.cli(["-p", String(node.port), "CLUSTER", "NODES"])
    }

    /// The live masters: node id, port, and the slot ranges they serve.
    public func masters() throws -> [(id: String, port: Int, slots: String)] {
        try nodesTable().split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 8, fields[2].contains("master"), !fields[2].contains("fail"),
                let port = fields[1].split(separator: ":").last?.split(separator: "@").first.flatMap({ Int($0) })
            else { return nil }
            return (String(fields[0]), port, fields.dropFirst(8).joined(separator: " "))
        }
    }

    /// The server that is currently master of a slot.
    public func master(ofSlot slot: Int) throws -> RedisServer? {
        for master in try masters() {
            for range in master.slots.split(separator: " ") where !range.hasPrefix("[") {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                if let low = bounds.first, slot >= low, slot <= (bounds.last ?? low) {
                    return nodes.first { $0.port == master.port }
                }
            }
        }
        return nil
    }

    /// Runs `redis-cli` with the arguments; its standard output.
    @discardableResult
    public static func cli(_ arguments: [String]) throws -> String {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw TestSupportError("redis-cli \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
