//! The rows of the ACH tab as HTML, rendered once per version of the tab's data and kept.
//!
//! `app::ach::tab` hands out the same `Arc<TabData>` for as long as the data is unchanged (its
//! cache is validated by the database's generation), so the rendered rows are valid for exactly
//! that `Arc`. Rendering 200 rows (escaping, dates) was a quarter of the page's CPU time under
//! load (docs/performance.md). What differs between users is only whether the change links
//! show, so that is part of the key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::ach::tab::{AchRow, TabData};
use askama::Template;

use crate::fragment_body::Fragment;

/// Entries kept (each a page's rows, up to a few hundred KB); all are dropped when full.
const MAX_ENTRIES: usize = 64;

#[derive(Template)]
#[template(path = "ach_tab_rows.html")]
struct Rows<'a> {
    sub_id: i64,
    can_change: bool,
    rows: &'a [AchRow],
}

/// Sub-account and whether the user may change bank details.
type Key = (i64, bool);
/// The data the rows were rendered from, and the rows.
type Kept = (Arc<TabData>, Arc<Fragment>);

#[derive(Clone, Default)]
pub struct RowsCache(Arc<Mutex<HashMap<Key, Kept>>>);

impl RowsCache {
    pub fn rows_html(&self, sub_id: i64, can_change: bool, data: &Arc<TabData>) -> askama::Result<Arc<Fragment>> {
        let key = (sub_id, can_change);
        if let Ok(map) = self.0.lock()
            && let Some((of, html)) = map.get(&key)
            // The entry holds its Arc, so the pointer cannot be reused by other data meanwhile.
            && Arc::ptr_eq(of, data)
        {
            return Ok(Arc::clone(html));
        }
        let html = Arc::new(Fragment::new(Rows { sub_id, can_change, rows: &data.rows }.render()?));
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
                map.clear();
            }
            map.insert(key, (Arc::clone(data), Arc::clone(&html)));
        }
        Ok(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(names: &[&str]) -> Arc<TabData> {
        let rows = names
            .iter()
            .enumerate()
            .map(|(i, n)| AchRow { importer_id: i as i64 + 1, name: (*n).into(), ..Default::default() })
            .collect();
        Arc::new(TabData { rows, directory_loaded_at: None, naming_us: Vec::new() })
    }

    #[test]
    fn rows_are_rendered_once_per_data_and_permission() {
        let cache = RowsCache::default();
        let d = data(&["Acme <Imports>"]);
        let a = cache.rows_html(1, true, &d).unwrap();
        assert!(
            a.text().contains("Acme &#60;Imports&#62;") || a.text().contains("Acme &lt;Imports&gt;"),
            "escaped: {}",
            a.text()
        );
        assert!(a.text().contains("/account/sub/1/ach/edit?importer=1"));
        assert!(Arc::ptr_eq(&a, &cache.rows_html(1, true, &d).unwrap()), "kept");
        let read_only = cache.rows_html(1, false, &d).unwrap();
        assert!(!read_only.text().contains("/ach/edit"), "no change links without the right");
        // New data (even with equal content) is rendered anew.
        let d2 = data(&["Renamed"]);
        let b = cache.rows_html(1, true, &d2).unwrap();
        assert!(b.text().contains("Renamed") && !b.text().contains("Acme"));
    }
}
