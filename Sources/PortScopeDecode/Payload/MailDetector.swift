/// The line-based protocols whose server speaks first: SMTP (RFC 5321), FTP (RFC 959), POP3
/// (RFC 1939) and IMAP (RFC 9051). A greeting names its protocol when its text does
/// (`ESMTP`, `FTP`, `IMAP4rev1`); a bare `220` is SMTP's or FTP's, and the client's first
/// commands, or the port, tell which.
enum MailDetector {
    static func detect(_ p: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        // Every greeting and command starts with a visible ASCII character (`2`, `+`, `*`, a
        // letter): binary payloads leave before the line is looked for.
        guard p.count >= 4, (0x21...0x7A).contains(p.byte(at: 0)) else { return nil }
        let line = p.lineEnd(from: 0) ?? p.count
        guard p.isPrintable(0..<line) else { return nil }
        switch p.byte(at: 0) {
        case 0x32 where p.matches("220") && (p.byte(at: 3) == 0x20 || p.byte(at: 3) == 0x2D):
            return greeting220(p, line: line, context)
        case 0x2B where p.matches("+OK"):
            let named = p.find("POP", in: 3..<line) != nil
            return PayloadDetection(.pop3, named ? .high : .medium, .server)
        case 0x2A where p.matches("* OK") || p.matches("* PREAUTH"):
            return PayloadDetection(.imap, p.find("IMAP", in: 4..<line) != nil ? .high : .medium, .server)
        default:
            return command(p, line: line)
        }
    }

    private static func greeting220(_ p: UnsafeRawBufferPointer, line: Int, _ context: PayloadContext) -> PayloadDetection? {
        if p.find("SMTP", in: 4..<line) != nil { return PayloadDetection(.smtp, .high, .server) }
        if p.find("FTP", in: 4..<line) != nil { return PayloadDetection(.ftp, .high, .server) }
        if context.involvesRegisteredPort(of: .smtp) { return PayloadDetection(.smtp, .medium, .server) }
        if context.involvesRegisteredPort(of: .ftp) { return PayloadDetection(.ftp, .medium, .server) }
        return nil
    }

    /// A client command that only one of the four protocols has.
    private static func command(_ p: UnsafeRawBufferPointer, line: Int) -> PayloadDetection? {
        func word(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            return p.matchesIgnoringCase(text) && (n == line || (n < line && p.byte(at: n) == 0x20))
        }
        if word("EHLO") || word("HELO") || p.matchesIgnoringCase("MAIL FROM:") || p.matchesIgnoringCase("RCPT TO:") {
            return PayloadDetection(.smtp, .high, .client)
        }
        if word("SYST") || word("FEAT") || word("PASV") || word("EPSV") || word("PWD") || word("CWD") || word("TYPE")
            || p.matchesIgnoringCase("AUTH TLS") || p.matchesIgnoringCase("AUTH SSL") {
            return PayloadDetection(.ftp, .high, .client)
        }
        if word("CAPA") || word("APOP") || word("UIDL") || word("STLS") {
            return PayloadDetection(.pop3, .high, .client)
        }
        // IMAP: a tag, then a command only IMAP has.
        let tagEnd = p.skip(from: 0, limit: 32) { isTokenByte($0) && $0 != 0x2A && $0 != 0x2B }
        guard tagEnd > 0, tagEnd < line, p.byte(at: tagEnd) == 0x20 else { return nil }
        let at = tagEnd + 1
        if p.matchesIgnoringCase("CAPABILITY", at: at) || p.matchesIgnoringCase("LOGIN ", at: at)
            || p.matchesIgnoringCase("AUTHENTICATE ", at: at) || p.matchesIgnoringCase("STARTTLS", at: at)
            || p.matchesIgnoringCase("SELECT ", at: at) || p.matchesIgnoringCase("ID (", at: at) {
            return PayloadDetection(.imap, .high, .client)
        }
        return nil
    }
}
