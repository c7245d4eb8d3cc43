//! Where the time goes, for whoever measures docseal: with the environment variable
//! `DOCSEAL_TIMINGS` set, seal and verify print one line on standard error naming each phase and
//! its wall-clock seconds (`bench/run` reads it to report the manifest's share of a run).
//! Otherwise nothing is recorded.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The phases recorded so far and when the last one ended.
struct Phases {
    done: Vec<(&'static str, Duration)>,
    last: Instant,
}

static PHASES: Mutex<Option<Phases>> = Mutex::new(None);

/// Time spent re-reading manifest entries while files were being checked, in nanoseconds.
static REREAD_NANOS: AtomicU64 = AtomicU64::new(0);

/// Whether timings are being recorded (the environment variable is set).
pub fn enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("DOCSEAL_TIMINGS").is_some())
}

/// Starts the clock (the first phase is measured from here).
pub fn start() {
    if enabled()
        && let Ok(mut p) = PHASES.lock()
    {
        *p = Some(Phases {
            done: Vec::new(),
            last: Instant::now(),
        });
    }
}

/// Ends the current phase under `name`; the next one starts now.
pub fn lap(name: &'static str) {
    if !enabled() {
        return;
    }
    if let Ok(mut guard) = PHASES.lock()
        && let Some(phases) = guard.as_mut()
    {
        let now = Instant::now();
        phases.done.push((name, now - phases.last));
        phases.last = now;
    }
}

/// Adds time spent re-reading manifest entries (counted within whichever phase it happens in).
pub fn add_reread(d: Duration) {
    if enabled() {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        REREAD_NANOS.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// Runs `f`, counting its time as re-reading manifest entries.
pub fn rereading<T>(f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let t = Instant::now();
    let out = f();
    add_reread(t.elapsed());
    out
}

/// The line to print, if timings are being recorded:
/// `timings: manifest 0.61 s, signature 0.22 s, … ; re-reading entries 0.40 s`.
pub fn summary() -> Option<String> {
    let guard = PHASES.lock().ok()?;
    let phases = guard.as_ref()?;
    let parts: Vec<String> = phases
        .done
        .iter()
        .map(|(name, d)| format!("{name} {:.3} s", d.as_secs_f64()))
        .collect();
    let reread = Duration::from_nanos(REREAD_NANOS.load(Ordering::Relaxed));
    Some(format!(
        "timings: {}; re-reading entries {:.3} s",
        parts.join(", "),
        reread.as_secs_f64()
    ))
}
