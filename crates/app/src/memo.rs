//! A small bounded memo for values that never change under their key: a case's parsed state
//! under its (id, version), the public lookup's answer under the same.
//!
//! Two generations stand in for least-recently-used order: entries go into the young map; when
//! it holds half the bound, the old map is dropped and the young one becomes old. A hit in the
//! old map moves the entry back to the young one, so what is read often stays. At most `bound`
//! entries are held, and each operation is a hash lookup or two under one short lock.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

pub(crate) struct Memo<K, V> {
    half: usize,
    maps: Mutex<(HashMap<K, V>, HashMap<K, V>)>,
}

impl<K: Hash + Eq + Clone, V: Clone> Memo<K, V> {
    pub(crate) fn new(bound: usize) -> Self {
        Memo {
            half: (bound / 2).max(1),
            maps: Mutex::new((HashMap::new(), HashMap::new())),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let mut maps = self.maps.lock().ok()?;
        if let Some(v) = maps.0.get(key) {
            return Some(v.clone());
        }
        let v = maps.1.remove(key)?;
        Self::insert(self.half, &mut maps, key.clone(), v.clone());
        Some(v)
    }

    pub(crate) fn put(&self, key: K, value: V) {
        if let Ok(mut maps) = self.maps.lock() {
            Self::insert(self.half, &mut maps, key, value);
        }
    }

    fn insert(half: usize, maps: &mut (HashMap<K, V>, HashMap<K, V>), key: K, value: V) {
        if maps.0.len() >= half && !maps.0.contains_key(&key) {
            let young = std::mem::take(&mut maps.0);
            maps.1 = young;
        }
        maps.0.insert(key, value);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.maps.lock().map(|m| m.0.len() + m.1.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_holds_at_most_its_bound_and_keeps_what_is_read() {
        let m: Memo<u32, u32> = Memo::new(4);
        for k in 0..4 {
            m.put(k, k * 10);
        }
        assert!(m.len() <= 4);
        assert_eq!(m.get(&3), Some(30));
        // 2 and 3 are young, 0 and 1 old; reading 1 brings it back.
        assert_eq!(m.get(&1), Some(10));
        for k in 10..100 {
            m.put(k, k);
            assert!(m.len() <= 4);
        }
        assert_eq!(m.get(&0), None);
        assert_eq!(m.get(&99), Some(99));
    }
}
