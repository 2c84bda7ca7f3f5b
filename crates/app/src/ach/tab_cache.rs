//! The ACH tab's data per sub-account, kept while the sub-account's ACH tab generation
//! (`store::change_counters::AchTabGeneration`: the shared counter of the FedACH directory and
//! the sub-account's own, both moved by triggers on the tables the tab reads) and the date stay
//! the same. A change in one company's data re-reads only the tabs it reaches (migration m0007). A tab of 200 numbers is otherwise five statements and a few hundred
//! decoded rows per page view; with the cache it is nothing beyond the access check, which reads
//! the generation in the same statement (docs/performance.md).
//!
//! Nothing per user is kept: the caller checks access before it asks, and permissions shape the
//! page afterwards. Several server instances each keep their own cache; the generation lives in
//! the shared database, so none of them serves data older than the last commit it has seen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use store::change_counters::AchTabGeneration;

use super::tab::TabData;

/// At most this many rows are held across all sub-accounts (about 1 KB each); a tab larger than
/// that is read every time.
const MAX_ROWS: usize = 20_000;

#[derive(Debug, Default)]
pub(crate) struct TabCache(Mutex<Entries>);

#[derive(Debug, Default)]
struct Entries {
    by_sub_account: HashMap<i64, Entry>,
    rows: usize,
}

#[derive(Debug)]
struct Entry {
    generation: AchTabGeneration,
    today: String,
    data: Arc<TabData>,
}

impl TabCache {
    pub(crate) fn get(&self, sub_account_id: i64, generation: AchTabGeneration, today: &str) -> Option<Arc<TabData>> {
        let entries = self.0.lock().ok()?;
        let e = entries.by_sub_account.get(&sub_account_id)?;
        (e.generation == generation && e.today == today).then(|| Arc::clone(&e.data))
    }

    pub(crate) fn put(&self, sub_account_id: i64, generation: AchTabGeneration, today: &str, data: Arc<TabData>) {
        let size = data.rows.len().max(1);
        if size > MAX_ROWS {
            return;
        }
        let Ok(mut entries) = self.0.lock() else { return };
        // A newer shared generation (a FedACH load) or another day makes every older entry
        // useless: they would all miss. A sub-account's own generation concerns only its entry.
        let stale = |e: &Entry| e.generation.shared < generation.shared || e.today != today;
        if entries.by_sub_account.values().any(stale) {
            entries.by_sub_account.retain(|_, e| !stale(e));
            entries.rows = entries.by_sub_account.values().map(|e| e.data.rows.len().max(1)).sum();
        }
        if let Some(old) = entries.by_sub_account.remove(&sub_account_id) {
            entries.rows -= old.data.rows.len().max(1);
        }
        if entries.rows + size > MAX_ROWS {
            entries.by_sub_account.clear();
            entries.rows = 0;
        }
        entries.rows += size;
        entries.by_sub_account.insert(sub_account_id, Entry { generation, today: today.to_owned(), data });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(shared: i64, sub_account: i64) -> AchTabGeneration {
        AchTabGeneration { shared, sub_account }
    }

    fn data(rows: usize) -> Arc<TabData> {
        Arc::new(TabData { rows: vec![Default::default(); rows], directory_loaded_at: None, naming_us: Vec::new() })
    }

    #[test]
    fn an_entry_serves_only_its_generation_and_day() {
        let cache = TabCache::default();
        cache.put(7, g(3, 5), "2026-11-25", data(2));
        assert_eq!(cache.get(7, g(3, 5), "2026-11-25").map(|d| d.rows.len()), Some(2));
        assert!(cache.get(7, g(4, 5), "2026-11-25").is_none(), "a newer shared generation misses");
        assert!(cache.get(7, g(3, 6), "2026-11-25").is_none(), "a newer generation of its own misses");
        assert!(cache.get(7, g(3, 5), "2026-11-26").is_none(), "the next day misses (notify parties start and end)");
        assert!(cache.get(8, g(3, 5), "2026-11-25").is_none(), "another sub-account misses");
    }

    #[test]
    fn another_sub_accounts_change_keeps_an_entry_and_a_newer_shared_generation_drops_it() {
        let cache = TabCache::default();
        cache.put(1, g(1, 4), "d", data(10));
        cache.put(2, g(1, 9), "d", data(10));
        assert!(cache.get(1, g(1, 4), "d").is_some(), "sub-account 2's generation is not sub-account 1's");
        cache.put(3, g(2, 1), "d", data(10));
        assert!(cache.get(1, g(1, 4), "d").is_none());
        assert_eq!(cache.0.lock().unwrap().rows, 10);
    }

    #[test]
    fn the_row_budget_holds() {
        let cache = TabCache::default();
        cache.put(1, g(1, 1), "d", data(10));
        cache.put(4, g(1, 1), "d", data(MAX_ROWS - 5));
        let e = cache.0.lock().unwrap();
        assert!(e.rows <= MAX_ROWS, "{} rows held", e.rows);
        assert!(e.by_sub_account.contains_key(&4));
        drop(e);
        cache.put(5, g(1, 1), "d", data(MAX_ROWS + 1));
        assert!(cache.get(5, g(1, 1), "d").is_none(), "a tab larger than the budget is not kept");
    }
}
