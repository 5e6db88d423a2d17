//! Independent pieces of work spread over the machine's cores, their
//! results in the order of the work whatever order they finish in.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The machine's cores (1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Runs `work` on every item, on up to `workers` threads (one per item at
/// most; none when there is a single item or worker: the calling thread
/// does it), each thread taking the next item not yet taken. `done(i)` is
/// called on the calling thread as item `i` finishes, in the order they
/// finish; the results come back in item order. A panic in `work` is a bug:
/// it goes on, on the calling thread, as it would have without threads.
pub fn map_in_order<I, T, W, D>(items: &[I], workers: usize, work: W, mut done: D) -> Vec<T>
where
    I: Sync,
    T: Send,
    W: Fn(&I) -> T + Sync,
    D: FnMut(usize),
{
    let workers = workers.clamp(1, items.len().max(1));
    if workers == 1 {
        return (items.iter().enumerate())
            .map(|(i, item)| {
                let result = work(item);
                done(i);
                result
            })
            .collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<T>> = items.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                let (sender, next, work) = (sender.clone(), &next, &work);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            break;
                        };
                        if sender.send((i, work(item))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        for (i, result) in receiver {
            done(i);
            results[i] = Some(result);
        }
        for thread in threads {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    // Every item was taken and sent unless a thread panicked, which the
    // joins above resumed.
    results.into_iter().flatten().collect()
}

/// Runs `first` on the calling thread and `second` beside it, on a thread
/// of its own when one can be started (else after `first`, on the calling
/// thread); their values. A panic in either is a bug: it goes on, on the
/// calling thread.
pub fn both<A, B: Send>(first: impl FnOnce() -> A, second: impl Fn() -> B + Sync) -> (A, B) {
    std::thread::scope(|scope| {
        let second = &second;
        let beside = std::thread::Builder::new().spawn_scoped(scope, second);
        let a = first();
        let b = match beside {
            Ok(thread) => match thread.join() {
                Ok(b) => b,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => second(),
        };
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_gives_each_value_to_its_side() {
        let (a, b) = both(|| "first", || std::thread::current().id());
        assert_eq!(a, "first");
        // The second ran beside the caller.
        assert_ne!(b, std::thread::current().id());
    }

    #[test]
    fn results_come_in_item_order_whatever_order_they_finish_in() {
        let items: Vec<u64> = (0..40).collect();
        // Early items take longest, so they finish after later ones.
        let work = |&n: &u64| {
            std::thread::sleep(std::time::Duration::from_micros((40 - n) * 200));
            n * n
        };
        for workers in [1, 2, 3, 64] {
            let mut finished = Vec::new();
            let out = map_in_order(&items, workers, work, |i| finished.push(i));
            assert_eq!(out, items.iter().map(|n| n * n).collect::<Vec<_>>());
            finished.sort_unstable();
            assert_eq!(finished, (0..40).collect::<Vec<_>>(), "{workers} workers");
        }
    }

    #[test]
    fn no_items_no_results() {
        let out: Vec<u8> = map_in_order(&[] as &[u8], 4, |&b| b, |_| panic!("nothing finishes"));
        assert!(out.is_empty());
    }

    #[test]
    #[should_panic(expected = "item 3")]
    fn a_panic_in_the_work_goes_on_in_the_caller() {
        map_in_order(&[1, 2, 3, 4], 2, |&n| assert!(n != 3, "item {n}"), |_| {});
    }
}
