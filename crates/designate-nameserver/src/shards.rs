//! A map by name cut into shards behind `Arc`s, for copy-on-write zone snapshots.
//!
//! A zone snapshot is never edited in place: an incremental transfer edits a copy and the
//! catalog swaps it in. With one map per zone that copy is the whole zone — every change to a
//! zone of a million records would copy a million records. Cloning a [`ShardedMap`] copies
//! only the shard pointers, and an edit copies just the shard it lands in (`Arc::make_mut`), so
//! a change costs the size of a shard, which stays near [`TARGET`] entries as the map grows.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use hickory_proto::rr::Name;

/// Entries per shard the map aims at; it doubles its shards past twice this.
const TARGET: usize = 512;

/// The most shards a map is cut into.
const MAX_SHARDS: usize = 1 << 16;

/// The hasher of the shards and of the choice of shard. Every query does several lookups
/// (zone, node, cut, wildcard), so it is foldhash rather than SipHash; it is seeded per
/// process, and the keys are the names of zones and records, not what clients send.
type Hasher = foldhash::fast::RandomState;

/// A map keyed by names whose clones share their unedited shards.
#[derive(Debug, Clone)]
pub(crate) struct ShardedMap<V> {
    shards: Vec<Arc<HashMap<Name, V, Hasher>>>,
    /// Chooses the shard; cloned with the map, so a copy puts every name where it was.
    pick: Hasher,
    len: usize,
}

impl<V: Clone> Default for ShardedMap<V> {
    fn default() -> Self {
        Self::with_shards(1)
    }
}

impl<V: Clone> ShardedMap<V> {
    fn with_shards(n: usize) -> Self {
        Self {
            shards: (0..n).map(|_| Arc::default()).collect(),
            pick: Hasher::default(),
            len: 0,
        }
    }

    fn shard_of(&self, name: &Name) -> usize {
        // The shard count is a power of two; the high bits are the best mixed.
        let hash = self.pick.hash_one(name);
        (hash >> 32) as usize & (self.shards.len() - 1)
    }

    /// The entries.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, name: &Name) -> Option<&V> {
        self.shards[self.shard_of(name)].get(name)
    }

    pub(crate) fn contains_key(&self, name: &Name) -> bool {
        self.get(name).is_some()
    }

    /// The entry, its shard copied first if a clone shares it.
    pub(crate) fn get_mut(&mut self, name: &Name) -> Option<&mut V> {
        let shard = self.shard_of(name);
        if !self.shards[shard].contains_key(name) {
            return None;
        }
        Arc::make_mut(&mut self.shards[shard]).get_mut(name)
    }

    /// The entry at `name`, a default one inserted first if there is none.
    pub(crate) fn get_or_default(&mut self, name: &Name) -> &mut V
    where
        V: Default,
    {
        if !self.contains_key(name) {
            self.insert(name.clone(), V::default());
        }
        let shard = self.shard_of(name);
        Arc::make_mut(&mut self.shards[shard])
            .entry(name.clone())
            .or_default()
    }

    pub(crate) fn insert(&mut self, name: Name, value: V) {
        if self.len >= self.shards.len() * TARGET * 2 && self.shards.len() < MAX_SHARDS {
            self.reshard(self.shards.len() * 2);
        }
        let shard = self.shard_of(&name);
        if Arc::make_mut(&mut self.shards[shard])
            .insert(name, value)
            .is_none()
        {
            self.len += 1;
        }
    }

    pub(crate) fn remove(&mut self, name: &Name) -> Option<V> {
        let shard = self.shard_of(name);
        if !self.shards[shard].contains_key(name) {
            return None;
        }
        let removed = Arc::make_mut(&mut self.shards[shard]).remove(name);
        self.len -= usize::from(removed.is_some());
        removed
    }

    /// Spreads the entries over `n` shards (the map has grown; amortised over the inserts
    /// that made it grow).
    fn reshard(&mut self, n: usize) {
        let old = std::mem::replace(&mut self.shards, (0..n).map(|_| Arc::default()).collect());
        let mut shards: Vec<HashMap<Name, V, Hasher>> =
            (0..n).map(|_| HashMap::default()).collect();
        for shard in old {
            let entries = Arc::try_unwrap(shard).unwrap_or_else(|shared| (*shared).clone());
            for (name, value) in entries {
                shards[self.shard_of(&name)].insert(name, value);
            }
        }
        self.shards = shards.into_iter().map(Arc::new).collect();
    }

    /// A map sized for about `n` entries.
    pub(crate) fn with_capacity_for(n: usize) -> Self {
        let shards = n.div_ceil(TARGET).next_power_of_two().clamp(1, MAX_SHARDS);
        Self::with_shards(shards)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn name(i: usize) -> Name {
        Name::from_str(&format!("n{i}.example.org.")).unwrap()
    }

    #[test]
    fn grows_shards_and_keeps_every_entry() {
        let mut map = ShardedMap::default();
        for i in 0..5_000 {
            map.insert(name(i), i);
        }
        assert!(map.shards.len() >= 4, "{} shards", map.shards.len());
        assert_eq!(map.len(), 5_000);
        assert!((0..5_000).all(|i| map.get(&name(i)) == Some(&i)));
        map.insert(name(7), 70);
        assert_eq!(map.len(), 5_000, "a replaced entry is not a new one");
        assert_eq!(map.remove(&name(7)), Some(70));
        assert_eq!(map.remove(&name(7)), None);
        assert_eq!(map.len(), 4_999);
    }

    #[test]
    fn an_edited_copy_shares_the_shards_it_did_not_touch() {
        let mut map = ShardedMap::with_capacity_for(10_000);
        for i in 0..10_000 {
            map.insert(name(i), i);
        }
        let mut copy = map.clone();
        *copy.get_mut(&name(1)).unwrap() = 100;
        copy.insert(name(20_000), 2);
        assert_eq!(map.get(&name(1)), Some(&1), "the original is untouched");
        assert_eq!(map.get(&name(20_000)), None);
        assert_eq!(copy.get(&name(1)), Some(&100));
        let shared = map
            .shards
            .iter()
            .zip(&copy.shards)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert!(
            shared >= map.shards.len() - 2,
            "{shared} of {} shards shared",
            map.shards.len()
        );
    }
}
