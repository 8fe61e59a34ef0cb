import CouponCore
import Foundation
import Prometheus
import Redis

/// `coupon_sale_issued{coupon}` and `coupon_sale_quantity{coupon}`: issued against quantity for the
/// coupons on sale now (window open, or closed within the last hour; at most 50, newest first),
/// read at scrape time — the list from the projection, the counts from Redis (exact, HLEN). Nothing
/// on the issue route. A coupon's series stays exported once seen (bounded by the coupons on sale
/// during the process's life).
public struct SaleGauges: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let partitioning: Partitioning
    static var issued: MetricNameDescriptor {
        .coupon("sale", "issued", "", "Coupons issued so far, for coupons on sale.")
    }
    static var quantity: MetricNameDescriptor { .coupon("sale", "quantity", "", "Quantity of each coupon on sale.") }
    static var finalCoupons: MetricNameDescriptor {
        .coupon("final_answer", "coupons", "", "Sold-out or ended coupons this process answers without Redis.")
    }
    static var finalHolders: MetricNameDescriptor {
        .coupon(
            "final_answer", "holders", "", "Holders of those coupons kept in memory (bounded by --final-answer-cache).")
    }
    public static let window: Int64 = 60 * 60 * 1000
    public static let limit = 50

    init(_ registry: PrometheusCollectorRegistry, partitioning: Partitioning) {
        self.registry = registry
        self.partitioning = partitioning
    }

    public func refresh(onSale coupons: [CouponEvent.Defined], from client: RedisClient) async {
        for coupon in coupons {
            let p = partitioning.partition(of: coupon.coupon)
            guard
                let issued = try? await client.send(RedisCommand("HLEN", Partitioning.issuedKey(p, coupon.coupon))).int
            else { continue }
            let labels = [("coupon", coupon.coupon.description)]
            registry.makeGauge(descriptor: SaleGauges.issued, labels: labels).set(to: Double(issued))
            registry.makeGauge(descriptor: SaleGauges.quantity, labels: labels).set(to: Double(coupon.total))
        }
    }

    /// The final-answer cache's size, read at scrape time.
    public func finalAnswers(coupons: Int, holders: Int) {
        registry.makeGauge(descriptor: SaleGauges.finalCoupons).set(to: Double(coupons))
        registry.makeGauge(descriptor: SaleGauges.finalHolders).set(to: Double(holders))
    }
}
