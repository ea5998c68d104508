import Foundation
@testable import PortScopeClickHouse
import PortScopeSQLite
import PortScopeStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `export --clickhouse`'s parts that need no server (the real-server test is issue 21's next step).
struct ClickHouseTests {
    @Test func urlsAndCredentials() {
        let server = ClickHouseServer(url: "http://ops:pw@db.example:9123/", environment: ["CLICKHOUSE_USER": "other"])
        #expect(server?.host == "db.example" && server?.port == 9123 && server?.description == "http://db.example:9123")
        #expect(ClickHouseServer(url: "https://db.example") == nil && ClickHouseServer(url: "http://:80") == nil)
        #expect(ClickHouseServer.redacted("http://ops:pw@db.example") == "http://ops:…@db.example")
        #expect(ClickHouseExport.field(.text("a\tb\\c\nd")) == "a\\tb\\\\c\\nd" && ClickHouseExport.field(.null) == "\\N")
    }
}
