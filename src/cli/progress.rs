//! A progress bar on stderr for runs that take more than a moment, and only where a
//! person is watching: stderr is a terminal and `CI` is not set. It appears after a
//! short delay (quick runs never flash one) and is cleared when the run ends, so it
//! never mixes into pipes, JSON or CI logs.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const DELAY: Duration = Duration::from_millis(800);

/// The progress bar of one `audit` run; a no-op when nobody is watching.
pub struct Progress {
    bar: Option<ProgressBar>,
    finished: Arc<AtomicBool>,
}

impl Progress {
    /// A bar if a person is watching, else nothing at all.
    pub fn start() -> Progress {
        let finished = Arc::new(AtomicBool::new(false));
        let watching = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !watching {
            return Progress {
                bar: None,
                finished,
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} auditing {pos}/{len} exports, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let (shown, done) = (bar.clone(), finished.clone());
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
            if !done.load(Ordering::Relaxed) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress {
            bar: Some(bar),
            finished,
        }
    }

    /// `done` of `total` exports audited.
    pub fn update(&self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    /// Clears the bar (or keeps it from ever appearing).
    pub fn finish(self) {
        self.finished.store(true, Ordering::Relaxed);
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
