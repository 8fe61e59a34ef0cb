/// The `Migrations/` files carry no collation (SQLite has none of MariaDB's), so a table takes
/// its database's default — on most servers a case-insensitive one, under which `u-42` and
/// `U-42` would be one user. The migrator therefore sets the database's default to utf8mb4 with
/// the binary collation before it creates the first table, and checks every id column after.
extension MariaDBConnection {
    public func prepareSchema() throws {
        guard try rows("SHOW TABLES LIKE 'schema_migrations'").isEmpty else { return }
        try execute(
            "ALTER DATABASE `\(configuration.database.replacingOccurrences(of: "`", with: "``"))` "
                + "CHARACTER SET utf8mb4 COLLATE \(binaryCollation)")
    }

    public func verifySchema() throws {
        let wrong = try rows(
            """
            SELECT table_name, column_name, collation_name FROM information_schema.columns
            WHERE table_schema = DATABASE() AND collation_name IS NOT NULL AND collation_name <> ?
            AND table_name IN ('coupons', 'coupon_issues', 'coupon_events', 'projection_progress', 'deployment')
            ORDER BY table_name, column_name
            """, [.text(binaryCollation)])
        guard wrong.isEmpty else {
            throw StoreError.unsupported(
                "these columns of \(configuration.database) do not compare ids byte for byte "
                    + "(table|column|collation): \(wrong.joined(separator: ", ")); convert each table with "
                    + "ALTER TABLE … CONVERT TO CHARACTER SET utf8mb4 COLLATE \(binaryCollation)")
        }
    }
}
