use sea_orm::DeriveIden;

/// Outgoing mail waiting for delivery (m0015): the recipient and the message sealed with the
/// data key, delivered by one sender at a time, retried with backoff.
#[derive(DeriveIden, Clone, Copy)]
pub enum MailQueue {
    Table,
    Id,
    /// The mail's kind (`login_code`, `refund_notice`, ...), for logs and counts.
    Kind,
    /// `{"to": ..., "mail": ...}` sealed with the data key; emptied once delivered.
    Sealed,
    CreatedAt,
    /// Not delivered before this time (now, or the next try after a failure), in microseconds
    /// since 1970: an integer, because SQLite keeps times as text (`...:22.7311Z`), where a
    /// fraction written shorter sorts after a longer one of the same second (`Z` > `4`), and the
    /// queue compares this column with the present to the microsecond.
    NextAt,
    Attempts,
    SentAt,
    /// Set when the sender gave up (too many failed attempts).
    FailedAt,
    /// The last failure, in words (never the address or the message).
    LastError,
}

/// A named lease: one holder at a time until `until` (the mail sender's, m0015).
#[derive(DeriveIden, Clone, Copy)]
pub enum Leases {
    Table,
    Name,
    Holder,
    Until,
}
