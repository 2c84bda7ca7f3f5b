//! Open-loop load on one page: each of the sessions in a token file asks for the page on a fixed
//! schedule, whatever the server's answers take, and every latency is counted from the moment its
//! request was *due*, not from when it could be sent. A slow answer therefore delays the session's
//! next requests and that delay is counted against them (no "coordinated omission", as in wrk2).
//!
//! wrk (bench/portal/account.sh) keeps 64 requests in flight at all times, so its p99 is mostly
//! the time a request waits behind the other 63 on the 2 shared cores: it measures saturation,
//! and moves with the host's speed. This tool answers the other question: at a stated rate of
//! page views from 64 sessions, how long does a page view take?
//!
//! ```sh
//! open_load --url http://127.0.0.1:18182/account --tokens tokens.txt --rate 500 --duration 20 [--gzip]
//! ```
//!
//! Prints one line: the offered and achieved rate, the responses by status, and latency
//! percentiles in milliseconds. Session `k` of `n` sends at `start + (k + i n) / rate` for
//! i = 0, 1, ...; the first second is a warm-up whose latencies are not counted. Any answer
//! that is not 2xx, or a failed request, makes it exit with status 1.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

struct Args {
    url: String,
    tokens: String,
    rate: f64,
    duration: f64,
    gzip: bool,
}

fn usage() -> String {
    "usage: open_load --url URL --tokens FILE --rate REQUESTS_PER_SECOND --duration SECONDS [--gzip]".into()
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { url: String::new(), tokens: String::new(), rate: 0.0, duration: 20.0, gzip: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value; {}", usage()));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--tokens" => args.tokens = value()?,
            "--rate" => args.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--duration" => args.duration = value()?.parse().map_err(|e| format!("--duration: {e}"))?,
            "--gzip" => args.gzip = true,
            _ => return Err(format!("unknown argument {flag}; {}", usage())),
        }
    }
    if args.url.is_empty() || args.tokens.is_empty() || args.rate <= 0.0 || args.duration <= 1.0 {
        return Err(usage());
    }
    Ok(args)
}

/// What one session saw: latencies (microseconds) of the counted requests, and statuses.
#[derive(Default)]
struct Seen {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
}

const WARM_UP: Duration = Duration::from_secs(1);
/// The same CSRF cookie a browser that has seen a page sends (as bench/portal/sessions.lua).
const CSRF: &str = "abababababababababababababababababababababababababababababababab";

/// One session's requests, one every `interval` from `first` until the run's end.
async fn session(
    client: reqwest::Client,
    args: std::sync::Arc<Args>,
    cookie: String,
    first: Instant,
    interval: Duration,
) -> Seen {
    let mut seen = Seen::default();
    let end = first + Duration::from_secs_f64(args.duration);
    let count_from = first + WARM_UP;
    let mut due = first;
    while due < end {
        tokio::time::sleep_until(due).await;
        let mut req = client.get(&args.url).header(reqwest::header::COOKIE, &cookie);
        if args.gzip {
            req = req.header(reqwest::header::ACCEPT_ENCODING, "gzip, deflate, br");
        }
        let status = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                resp.bytes().await.ok().map(|_| status)
            }
            Err(_) => None,
        };
        if due >= count_from {
            seen.latencies_us.push(due.elapsed().as_micros() as u64);
            match status {
                Some(s) => *seen.statuses.entry(s).or_default() += 1,
                None => seen.errors += 1,
            }
        }
        due += interval;
    }
    seen
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let tokens: Vec<String> = match std::fs::read_to_string(&args.tokens) {
        Ok(t) => t.lines().filter(|l| !l.trim().is_empty()).map(|l| l.trim().to_string()).collect(),
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.tokens);
            std::process::exit(2);
        }
    };
    if tokens.is_empty() {
        eprintln!("{} holds no session tokens", args.tokens);
        std::process::exit(2);
    }
    let n = tokens.len();
    let args = std::sync::Arc::new(args);
    // Each session asks n / rate seconds apart; session k starts k / rate after the first.
    let interval = Duration::from_secs_f64(n as f64 / args.rate);
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for (k, token) in tokens.into_iter().enumerate() {
        // One connection per session, kept alive, as a browser's.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with default TLS settings");
        let first = start + Duration::from_secs_f64(k as f64 / args.rate);
        let cookie = format!("ace_session={token}; ace_csrf={CSRF}");
        tasks.push(tokio::spawn(session(client, args.clone(), cookie, first, interval)));
    }
    let mut all = Seen::default();
    for t in tasks {
        let seen = t.await.expect("a session task ends normally");
        all.latencies_us.extend(seen.latencies_us);
        for (s, c) in seen.statuses {
            *all.statuses.entry(s).or_default() += c;
        }
        all.errors += seen.errors;
    }
    // Requests due before the end may be answered after it: the rate is over the time it took.
    let secs = (Instant::now() - (start + WARM_UP)).as_secs_f64();
    all.latencies_us.sort_unstable();
    let counted = all.latencies_us.len();
    let statuses: Vec<String> = all.statuses.iter().map(|(s, c)| format!("{s}: {c}")).collect();
    println!(
        "offered {:.0} req/s from {n} sessions, achieved {:.0} req/s; statuses {}{}; latency ms p50 {:.2} p90 {:.2} \
         p99 {:.2} p99.9 {:.2} max {:.2}",
        args.rate,
        counted as f64 / secs,
        statuses.join(", "),
        if all.errors > 0 { format!(", connection errors: {}", all.errors) } else { String::new() },
        percentile(&all.latencies_us, 50.0),
        percentile(&all.latencies_us, 90.0),
        percentile(&all.latencies_us, 99.0),
        percentile(&all.latencies_us, 99.9),
        percentile(&all.latencies_us, 100.0),
    );
    // A redirect to /login (a lost session) or an error page is fast and would flatter the
    // figures: the run fails instead.
    let bad: u64 = all.statuses.iter().filter(|(s, _)| !(200..300).contains(*s)).map(|(_, c)| c).sum();
    if bad + all.errors > 0 {
        eprintln!("{} responses were not 2xx or failed: these figures do not describe the page", bad + all.errors);
        std::process::exit(1);
    }
}
