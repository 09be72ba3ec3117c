//! The one clock. Every use case reads the time from here, so a simulated clock moves every
//! deadline, session and lock at once and tests never sleep.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub enum Clock {
    System,
    /// Real time plus an offset that an administrator (or a test) moves forward.
    Simulated(Arc<AtomicI64>),
}

impl Clock {
    pub fn simulated() -> Clock {
        Clock::Simulated(Arc::new(AtomicI64::new(0)))
    }

    /// A simulated clock that reads `at` now.
    pub fn simulated_at(at: DateTime<Utc>) -> Clock {
        let clock = Clock::simulated();
        clock.set(at);
        clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        let real = Utc::now();
        match self {
            Clock::System => real,
            Clock::Simulated(offset) => {
                real + Duration::milliseconds(offset.load(Ordering::SeqCst))
            }
        }
    }

    pub fn is_simulated(&self) -> bool {
        matches!(self, Clock::Simulated(_))
    }

    /// Moves a simulated clock forward; a system clock cannot be moved. Returns the new time.
    pub fn advance(&self, by: Duration) -> Option<DateTime<Utc>> {
        match self {
            Clock::System => None,
            Clock::Simulated(offset) => {
                offset.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
                Some(self.now())
            }
        }
    }

    /// Sets a simulated clock to read `at` now.
    pub fn set(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Clock::System => None,
            Clock::Simulated(offset) => {
                offset.store((at - Utc::now()).num_milliseconds(), Ordering::SeqCst);
                Some(self.now())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn simulated_clock_moves_only_when_told() {
        let t = Utc.with_ymd_and_hms(2026, 2, 13, 1, 0, 0).unwrap();
        let clock = Clock::simulated_at(t);
        assert!((clock.now() - t).num_seconds().abs() < 5);
        clock.advance(Duration::days(3));
        assert!((clock.now() - t - Duration::days(3)).num_seconds().abs() < 5);
        assert_eq!(Clock::System.advance(Duration::days(1)), None);
    }
}
