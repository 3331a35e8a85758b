//! A fixed set of worker threads that run the parts of one split product.
//!
//! faer's own threading goes through rayon, which allocates on every call;
//! these workers are started once (on the first parallel product) and then
//! take work through a mutex and two condition variables, so a training
//! loop with several threads allocates nothing after its first iteration.
//! One split product runs at a time; a caller that finds the pool busy (two
//! networks training at once) runs its parts itself.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, OnceLock};
use std::thread;

use crate::subnormal;

/// The job of the current split: part index → work. Lives on the caller's stack.
type Job = dyn Fn(usize) + Sync;

struct State {
    /// The job, lifetime erased; only touched between `run`'s publish and its return.
    job: Option<&'static Job>,
    /// Bumped for each job, so a worker never runs one twice.
    generation: u64,
    parts: usize,
    /// The next part nobody has taken.
    next: usize,
    /// Parts taken but not finished.
    running: usize,
    panic: Option<Box<dyn std::any::Any + Send>>,
    /// The caller's subnormal mode, which the workers take for its job.
    mode: subnormal::Mode,
}

struct Pool {
    state: Mutex<State>,
    work: Condvar,
    done: Condvar,
    /// Held by the one `run` using the workers.
    busy: Mutex<()>,
    workers: usize,
}

static POOL: OnceLock<&'static Pool> = OnceLock::new();

fn pool() -> &'static Pool {
    POOL.get_or_init(|| {
        let workers = thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .saturating_sub(1);
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            state: Mutex::new(State {
                job: None,
                generation: 0,
                parts: 0,
                next: 0,
                running: 0,
                panic: None,
                mode: subnormal::Mode::default(),
            }),
            work: Condvar::new(),
            done: Condvar::new(),
            busy: Mutex::new(()),
            workers,
        }));
        for i in 0..workers {
            thread::Builder::new()
                .name(format!("backprop-{i}"))
                .spawn(move || worker(pool))
                .expect("spawning a worker thread");
        }
        pool
    })
}

/// How many parts can run at once: the workers and the caller.
pub(crate) fn width() -> usize {
    pool().workers + 1
}

/// Runs `job(0)`, …, `job(parts − 1)`, spread over the workers and the calling
/// thread; returns when all have finished. A panic in a part is resumed here.
pub(crate) fn run(parts: usize, job: &(dyn Fn(usize) + Sync + '_)) {
    run_or_wait(parts, job, false)
}

/// [`run`]; with `wait`, waits for a busy pool instead of running the parts itself.
fn run_or_wait(parts: usize, job: &(dyn Fn(usize) + Sync + '_), wait: bool) {
    let pool = pool();
    let guard = if wait {
        Some(pool.busy.lock().unwrap_or_else(|e| e.into_inner()))
    } else {
        pool.busy.try_lock().ok()
    };
    let guard = match guard {
        Some(g) if parts > 1 && pool.workers > 0 => g,
        _ => {
            (0..parts).for_each(job);
            return;
        }
    };
    // SAFETY: the reference is only used by workers between here and the wait
    // below, which returns only once every part has finished and the job is
    // cleared; so it never outlives `job`.
    let erased: &'static Job =
        unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync + '_), &'static Job>(job) };
    {
        let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        s.job = Some(erased);
        s.generation += 1;
        s.parts = parts;
        s.next = 0;
        s.running = 0;
        s.mode = subnormal::current();
        pool.work.notify_all();
    }
    take_parts(pool);
    let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
    while s.next < s.parts || s.running > 0 {
        s = pool.done.wait(s).unwrap_or_else(|e| e.into_inner());
    }
    s.job = None;
    let panic = s.panic.take();
    drop(s);
    drop(guard);
    if let Some(p) = panic {
        resume_unwind(p);
    }
}

/// Takes and runs parts of the current job until none are left.
fn take_parts(pool: &Pool) {
    loop {
        let (job, part) = {
            let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
            match s.job {
                Some(job) if s.next < s.parts => {
                    let part = s.next;
                    s.next += 1;
                    s.running += 1;
                    (job, part)
                }
                _ => return,
            }
        };
        let result = catch_unwind(AssertUnwindSafe(|| job(part)));
        let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        s.running -= 1;
        if let Err(p) = result {
            s.panic.get_or_insert(p);
        }
        if s.next >= s.parts && s.running == 0 {
            pool.done.notify_all();
        }
    }
}

fn worker(pool: &'static Pool) {
    let mut seen = 0;
    loop {
        {
            let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
            while s.generation == seen || s.job.is_none() {
                s = pool.work.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            seen = s.generation;
            subnormal::set(s.mode);
        }
        take_parts(pool);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_part_runs_once() {
        for parts in [1, 2, 3, 7] {
            let hits: Vec<AtomicUsize> = (0..parts).map(|_| AtomicUsize::new(0)).collect();
            run(parts, &|p| {
                hits[p].fetch_add(1, Ordering::SeqCst);
            });
            assert!(hits.iter().all(|h| h.load(Ordering::SeqCst) == 1));
        }
    }

    /// Each part's f32 result of half the smallest normal float: 0.0 where
    /// its thread flushes subnormals, else the subnormal.
    #[cfg(target_arch = "x86_64")]
    fn halves() -> Vec<f32> {
        let results: Vec<std::sync::Mutex<f32>> =
            (0..8).map(|_| std::sync::Mutex::new(1.0)).collect();
        run_or_wait(
            8,
            &|p| {
                let half = std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5);
                *results[p].lock().unwrap() = half;
            },
            true,
        );
        results
            .into_iter()
            .map(|r| r.into_inner().unwrap())
            .collect()
    }

    /// The workers take the caller's subnormal mode for its job, and drop it after.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn workers_flush_subnormals_exactly_when_the_caller_does() {
        {
            let _flushing = subnormal::Flushing::start();
            assert!(halves().iter().all(|&h| h == 0.0));
        }
        assert!(halves().iter().all(|h| h.is_subnormal()));
    }

    #[test]
    fn parts_run_at_the_same_time_when_there_are_cores() {
        if width() < 2 {
            return;
        }
        // Each part waits (up to 10 s) until both have started: run one after
        // the other, they would time out.
        let started = AtomicUsize::new(0);
        let met = AtomicUsize::new(0);
        let job = |_| {
            started.fetch_add(1, Ordering::SeqCst);
            let t = std::time::Instant::now();
            while started.load(Ordering::SeqCst) < 2 && t.elapsed().as_secs() < 10 {
                std::hint::spin_loop();
            }
            if started.load(Ordering::SeqCst) == 2 {
                met.fetch_add(1, Ordering::SeqCst);
            }
        };
        // Other tests may hold the pool: wait for it rather than run alone.
        run_or_wait(2, &job, true);
        assert_eq!(met.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_panicking_part_panics_the_caller_and_the_pool_still_works() {
        let r = catch_unwind(|| run(2, &|p| assert!(p != 1, "part 1 fails")));
        assert!(r.is_err());
        let n = AtomicUsize::new(0);
        run(2, &|_| {
            n.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }
}
