//! License policies of products.
//!
//! Rules: docs/rules.md §2.

use crate::error::{Action, Result};
use crate::ids::{ProductId, TenantId};
use crate::inventory::Inventory;
use crate::inventory::rules::*;
use crate::ledger::LedgerKind;
use crate::license::LicensePolicy;
use crate::product::Product;

impl Inventory {
    /// Sets the policy of the licenses issued for a product from now on (issued licenses keep
    /// theirs). Provisioning, like products.
    pub fn set_product_policy(
        &self,
        tenant: TenantId,
        product: ProductId,
        policy: LicensePolicy,
    ) -> Result<Product> {
        self.by_host(Action::SetProductPolicy, || {
            policy.validate()?;
            self.command(
                tenant,
                "set_product_policy",
                &(product, policy),
                |tx, now| {
                    lock_tenant(tx, tenant)?;
                    let mut p = get_product(tx, tenant, product)?;
                    p.policy = policy;
                    tx.update_product(&p)?;
                    append(tx, tenant, now, draft(None, LedgerKind::ProductPolicySet))?;
                    Ok(p)
                },
            )
        })
    }
}
