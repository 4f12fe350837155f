//! The audit: conservation, the hash chain and a replay of the ledger over a whole tenant.
//!
//! Rules: docs/rules.md §9.

use std::collections::HashMap;

use crate::checked::Checked;
use crate::error::Result;
use crate::ids::{OrderId, TenantId};
use crate::input::MAX_PAGE;
use crate::ledger::GENESIS_HASH;

use crate::inventory::Inventory;
use crate::inventory::rules::get_tenant;

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
    /// `minted = Σ available + Σ issued`, the ledger's hash chain and sequence, and that replaying
    /// the ledger's movements rebuilds every order's quantities.
    pub fn audit(&self, tenant: TenantId) -> Result<Audit> {
        self.read(|tx| {
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
            if audit.available.saturating_add(audit.issued).saturating_add(t.retired) != t.minted {
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
            loop {
                let batch = tx.ledger(tenant, after, MAX_PAGE)?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for e in &batch {
                    audit.ledger_entries = audit.ledger_entries.plus(1)?;
                    if e.seq != audit.ledger_entries {
                        audit.problems.push(format!("ledger sequence gap before entry {}", e.seq));
                    }
                    if e.prev_hash != prev || e.compute_hash() != e.hash {
                        audit.problems.push(format!("ledger entry {} fails its hash chain", e.seq));
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
            // Deleted orders replay to zero.
            for (id, q) in &replay {
                if *q != [0; 4] {
                    audit.problems.push(format!("ledger leaves {q:?} on order {id}, which no longer exists"));
                }
            }
            Ok(audit)
        })
    }
}
