//! The audit: conservation, the hash chain and a replay of the ledger over a whole tenant.
//!
//! Rules: docs/rules.md §9.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::anchor::{Checkpoint, SigningKey, VerifyingKey};
use crate::checked::Checked;
use crate::error::{Action, Error, Result};
use crate::ids::{OrderId, TenantId};
use crate::input::MAX_PAGE;
use crate::ledger::{GENESIS_HASH, LedgerEntry};
use crate::store::Tx;
use crate::views::{SummaryCounts, order_counts};

use crate::inventory::Inventory;
use crate::inventory::rules::get_tenant;
use crate::inventory::state;

/// The result of [`Inventory::audit`]: conservation and ledger checks over a whole tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// Orders examined.
    pub orders: usize,
    /// Ledger entries examined.
    pub ledger_entries: u64,
    /// Units the tenant ever minted.
    pub minted: u64,
    /// Units retired (issued in deleted orders, or unconsumed and minted at the vendor).
    pub retired: u64,
    /// Σ available over all orders.
    pub available: u64,
    /// Σ issued over all orders.
    pub issued: u64,
    /// Every discrepancy found; empty when all holds.
    pub problems: Vec<String>,
}

impl Audit {
    /// True when no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Inventory {
    /// Checks a whole tenant in one snapshot: every order's conservation rule, the tenant's
    /// `minted = Σ available + Σ issued`, the ledger's hash chain and sequence, that the ledger
    /// ends at the head recorded with the tenant (no entry deleted from its end or appended
    /// behind the library's back), that replaying the ledger's movements rebuilds every order's
    /// quantities, and that the current rows of every covered table (organizations, users, admin
    /// grants, products, bundles, orders, draws, licenses, license users, managers) match the
    /// digest the newest entry recorded (docs/decisions.md §38), and that every organization's
    /// summary counters add up to its orders (§41). Each problem names the first bad
    /// ledger entry (by seq) or the table (and row, where the replay knows it) that differs.
    pub fn audit(&self, tenant: TenantId) -> Result<Audit> {
        self.by_host(Action::View, || {
            self.read(|tx| audit_in(tx, tenant, &BTreeSet::new()).map(|(audit, _)| audit))
        })
    }

    /// Signs the tenant's ledger head with `key`, a key the host keeps outside the database:
    /// keep the checkpoint (anywhere: it is public) and pass it to [`Inventory::audit_against`]
    /// later. Refuses a ledger that does not end at the tenant's recorded head (run
    /// [`Inventory::audit`]). It does not check the chain: audit before the first checkpoint.
    pub fn checkpoint(&self, tenant: TenantId, key: &SigningKey) -> Result<Checkpoint> {
        self.by_host(Action::View, || {
            // Whole seconds: what every binding's time type carries back unchanged (a JS Date has
            // milliseconds, a Swift Date a binary fraction).
            let at = chrono::SubsecRound::trunc_subsecs(self.now(), 0);
            self.read(|tx| {
                get_tenant(tx, tenant)?;
                let recorded = tx.recorded_head(tenant)?;
                let (seq, hash) = match tx.ledger_head(tenant)? {
                    Some(h) => (h.seq, h.hash),
                    None => (0, GENESIS_HASH.to_owned()),
                };
                if let Some(r) = recorded {
                    if (r.seq, r.hash.as_str()) != (seq, hash.as_str()) {
                        return Err(Error::InvariantViolated(format!(
                            "the ledger ends at entry {seq} but the tenant's head says entry {}; \
                         run audit before signing a checkpoint",
                            r.seq
                        )));
                    }
                }
                Ok(Checkpoint::sign(tenant, seq, hash, at, key))
            })
        })
    }

    /// [`Inventory::audit`], plus a proof that the ledger still extends every checkpoint: each
    /// must be signed by `key` for this tenant, and the entry at its seq must still have its hash
    /// (the chain from there to the head is checked by the audit). A rewrite of history before a
    /// checkpoint is found even when the whole chain was recomputed.
    pub fn audit_against(
        &self,
        tenant: TenantId,
        checkpoints: &[Checkpoint],
        key: &VerifyingKey,
    ) -> Result<Audit> {
        self.by_host(Action::View, || {
        let wanted: BTreeSet<u64> = checkpoints.iter().map(|c| c.seq).collect();
        self.read(|tx| {
            let (mut audit, hashes) = audit_in(tx, tenant, &wanted)?;
            for c in checkpoints {
                let seq = c.seq;
                if c.tenant != tenant {
                    audit.problems.push(format!(
                        "checkpoint at entry {seq} is of tenant {}, not {tenant}",
                        c.tenant
                    ));
                } else if !c.verify(key) {
                    audit.problems.push(format!(
                        "checkpoint at entry {seq}: its signature does not verify with the given key"
                    ));
                } else if seq == 0 {
                    // The empty ledger: every ledger extends it.
                } else {
                    match hashes.get(&seq) {
                        None => audit.problems.push(format!(
                            "ledger entry {seq}, signed by a checkpoint at {}, is missing: the \
                             ledger was truncated or renumbered",
                            crate::time::format(c.at)
                        )),
                        Some(h) if *h != c.hash => audit.problems.push(format!(
                            "ledger entry {seq} no longer has the hash a checkpoint signed at {}: \
                             history up to entry {seq} was rewritten",
                            crate::time::format(c.at)
                        )),
                        Some(_) => {}
                    }
                }
            }
            Ok(audit)
        })
        })
    }
}

/// The summary counters (docs/decisions.md §41) against the figures recomputed from the orders:
/// every line that differs is named by organization and product.
fn check_counts(
    tx: &mut dyn Tx,
    tenant: TenantId,
    orders: &[crate::order::Order],
    problems: &mut Vec<String>,
) -> Result<()> {
    let mut changes = BTreeMap::new();
    for o in orders {
        order_counts(o, 1, &mut changes)?;
    }
    let mut expected = BTreeMap::new();
    for ((org, product), change) in changes {
        let mut counts = SummaryCounts::new(product);
        change.apply(&mut counts)?;
        expected.insert((org, product), counts);
    }
    let mut stored = BTreeMap::new();
    for (org, counts) in tx.all_counts(tenant)? {
        // A line that went back to zero may stay: it is the same as no line.
        if counts != SummaryCounts::new(counts.product) {
            stored.insert((org, counts.product), counts);
        }
    }
    let keys: BTreeSet<_> = expected.keys().chain(stored.keys()).copied().collect();
    for key in keys {
        let (org, product) = key;
        let zero = SummaryCounts::new(product);
        let want = expected.get(&key).unwrap_or(&zero);
        let have = stored.get(&key).unwrap_or(&zero);
        if want != have {
            problems.push(format!(
                "summary counters of organization {org} for product {product}: stored {have:?}, \
                 but its orders add up to {want:?}"
            ));
        }
    }
    Ok(())
}

/// The audit in one transaction; also returns the stored hash of each entry whose seq is in
/// `wanted`.
fn audit_in(
    tx: &mut dyn Tx,
    tenant: TenantId,
    wanted: &BTreeSet<u64>,
) -> Result<(Audit, BTreeMap<u64, String>)> {
    let mut hashes = BTreeMap::new();
    let mut newest: Option<LedgerEntry> = None;
    let t = get_tenant(tx, tenant)?;
    let orders = tx.all_orders(tenant)?;
    let mut audit = Audit {
        orders: orders.len(),
        minted: t.minted,
        retired: t.retired,
        ..Audit::default()
    };
    for o in &orders {
        if let Err(e) = o.check_invariants() {
            audit.problems.push(e.to_string());
        }
        audit.available = audit.available.saturating_add(o.available);
        audit.issued = audit.issued.saturating_add(o.issued);
    }
    if audit
        .available
        .saturating_add(audit.issued)
        .saturating_add(t.retired)
        != t.minted
    {
        audit.problems.push(format!(
            "minted {} - retired {} != available {} + issued {}",
            t.minted, t.retired, audit.available, audit.issued
        ));
    }
    // Replay the ledger.
    let mut replay: HashMap<OrderId, [i64; 4]> = HashMap::new();
    let mut minted: u64 = 0;
    let mut retired: u64 = 0;
    let mut prev = GENESIS_HASH.to_owned();
    let mut after = 0;
    let mut expected: u64 = 1;
    loop {
        let batch = tx.ledger(tenant, after, MAX_PAGE)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for e in &batch {
            if wanted.contains(&e.seq) {
                hashes.insert(e.seq, e.hash.clone());
            }
            audit.ledger_entries = audit.ledger_entries.plus(1)?;
            if e.seq != expected {
                audit.problems.push(format!(
                    "ledger sequence gap before entry {}: entry {expected} is missing",
                    e.seq
                ));
            }
            expected = e.seq.saturating_add(1);
            if e.prev_hash != prev || e.compute_hash() != e.hash {
                audit
                    .problems
                    .push(format!("ledger entry {} fails its hash chain", e.seq));
            }
            if let Err(err) = e.check_balance() {
                audit.problems.push(err.to_string());
            }
            prev.clone_from(&e.hash);
            minted = minted.saturating_add(e.minted);
            retired = retired.saturating_add(e.retired);
            for m in &e.movements {
                let q = replay.entry(m.order).or_default();
                let [approved, drawn, issued, available] = q;
                *approved = approved.plus(m.approved)?;
                *drawn = drawn.plus(m.drawn)?;
                *issued = issued.plus(m.issued)?;
                *available = available.plus(m.available)?;
            }
        }
        newest = batch.into_iter().last();
    }
    // Where the ledger ends, against the head recorded with the tenant.
    let (last_seq, last_hash) = newest
        .as_ref()
        .map_or((0, GENESIS_HASH), |e| (e.seq, e.hash.as_str()));
    if let Some(head) = tx.recorded_head(tenant)? {
        if head.seq > last_seq {
            audit.problems.push(format!(
                "ledger truncated: the tenant's head is entry {} but the ledger ends at \
                 entry {last_seq}; entry {} is the first missing",
                head.seq,
                last_seq.saturating_add(1)
            ));
        } else if head.seq < last_seq {
            audit.problems.push(format!(
                "ledger entry {} is past the tenant's head (entry {}): entries were \
                 appended outside the library",
                head.seq.saturating_add(1),
                head.seq
            ));
        } else if head.hash != last_hash {
            audit.problems.push(format!(
                "ledger entry {last_seq} does not have the hash of the tenant's head: it \
                 was replaced"
            ));
        }
    }
    if (minted, retired) != (t.minted, t.retired) {
        audit.problems.push(format!(
            "ledger mints {minted} and retires {retired} but the tenant records {} and {}",
            t.minted, t.retired
        ));
    }
    for o in &orders {
        let q = replay.remove(&o.id).unwrap_or_default();
        let actual = [o.approved_quantity, o.drawn, o.issued, o.available]
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX));
        if q != actual {
            audit.problems.push(format!(
                "order {}: ledger replays to {q:?} (approved, drawn, issued, available) but holds {actual:?}",
                o.number
            ));
        }
    }
    check_counts(tx, tenant, &orders, &mut audit.problems)?;
    // Deleted orders replay to zero.
    for (id, q) in &replay {
        if *q != [0; 4] {
            audit.problems.push(format!(
                "ledger leaves {q:?} on order {id}, which no longer exists"
            ));
        }
    }
    // The rows, against the digest the newest entry recorded (none before version 6).
    if let Some(e) = newest.as_ref().filter(|e| !e.state.is_empty()) {
        let actual = state::tenant_digests(tx, tenant)?;
        match state::differing(&e.state, &actual) {
            None => audit.problems.push(format!(
                "ledger entry {} records a state digest that cannot be read",
                e.seq
            )),
            Some(tables) => {
                for table in tables {
                    audit.problems.push(format!(
                        "table {table}: the rows differ from the digest recorded by \
                         ledger entry {} (the newest): a row was changed, added or \
                         removed outside the library",
                        e.seq
                    ));
                }
            }
        }
    }
    Ok((audit, hashes))
}
