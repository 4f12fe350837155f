//! The seed walkthrough (`000_*.txt`, orders 1210–1213) on an SQLite file, printed as the
//! License Inventory screens of the channel admin guide.
//!
//! ```text
//! cargo run --example walkthrough [DB_PATH]
//! ```

use std::error::Error as StdError;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use license_inventory::{
    Customer, Error, Inventory, InventoryFilter, LicensePolicy, ManualClock, NewAssignment,
    NewLicenseUser, NewOrganization, NewProduct, NewRequest, NewTenant, NewUser, OrderDetails,
    OrderNumber, OrderStatus, Permission, Plan, ProductKind, RequestEdit, Tier, Validity,
};

fn at(hhmm: &str) -> Result<DateTime<Utc>, Box<dyn StdError>> {
    Ok(DateTime::parse_from_rfc3339(&format!("2017-10-20T{hhmm}:00Z"))?.with_timezone(&Utc))
}

fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Joins a name and an optional person: "Ellen Emporium Irina Heer".
fn who(org: &str, user: Option<&str>) -> String {
    match user {
        Some(u) => format!("{org} {u}"),
        None => org.to_owned(),
    }
}

/// Prints rows as aligned columns separated by two spaces, with a rule under the header.
fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row.clone());
    }
}

/// The columns of the guide's inventory tables.
const INVENTORY_HEADER: [&str; 9] = [
    "Order Number",
    "Inventory Type",
    "Purchase Order",
    "Order Status",
    "Requested/Approved",
    "Available",
    "Requested By",
    "Date Requested",
    "Approved By",
];

fn inventory_row(d: &OrderDetails) -> Vec<String> {
    let o = &d.order;
    let quantity = if o.status == OrderStatus::Requested {
        o.requested_quantity
    } else {
        o.approved_quantity
    };
    vec![
        o.number.to_string(),
        d.product_name.clone(),
        o.purchase_order.clone().unwrap_or_default(),
        o.status.label().to_owned(),
        quantity.to_string(),
        o.available.to_string(),
        who(&d.holder_name, d.requested_by_name.as_deref()),
        date(o.requested_at),
        match &d.source_name {
            Some(source) if o.approved_by.is_some() => who(source, d.approved_by_name.as_deref()),
            _ => String::new(),
        },
    ]
}

fn main() -> Result<(), Box<dyn StdError>> {
    let path = match std::env::args().nth(1) {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let p = std::env::temp_dir().join(format!(
                "license-inventory-walkthrough-{}.db",
                std::process::id()
            ));
            let _ = std::fs::remove_file(&p);
            p
        }
    };
    let clock = Arc::new(ManualClock::default());
    clock.set(Some(at("01:30")?));
    let inv = Inventory::open_sqlite(&path)?.with_clock(clock.clone());

    // The channel: Jasperactive (vendor) › Ellen Emporium › MGA Inc › Elerome School.
    let tenant = inv.create_tenant(NewTenant {
        name: "Jasperactive".into(),
        plan: Plan::Standard,
        vendor_name: "Jasperactive".into(),
        first_order_number: Some(1208),
    })?;
    let t = tenant.id;
    let org = |name: &str, tier, parent| {
        inv.create_org(
            t,
            NewOrganization {
                name: name.into(),
                tier,
                parent,
            },
        )
    };
    let ellen = org("Ellen Emporium", Tier::Distributor, tenant.vendor)?;
    let mga = org("MGA Inc", Tier::Reseller, ellen.id)?;
    let elerome = org("Elerome School", Tier::Center, mga.id)?;
    let vera = inv.create_user(
        t,
        NewUser {
            name: "Vera Vendor".into(),
            email: "vera@jasperactive.example".into(),
        },
    )?;
    let irina = inv.create_user(
        t,
        NewUser {
            name: "Irina Heer".into(),
            email: "irina.heer@mga.example".into(),
        },
    )?;
    inv.grant_admin(t, vera.id, tenant.vendor)?;
    inv.grant_admin(t, irina.id, ellen.id)?;
    inv.grant_admin(t, irina.id, mga.id)?;
    let cl = inv.create_product(
        t,
        NewProduct {
            code: "CL".into(),
            name: "Center License".into(),
            kind: ProductKind::License,
        },
    )?;
    let uac = inv.create_product(
        t,
        NewProduct {
            code: "UAC".into(),
            name: "User Activation Codes".into(),
            kind: ProductKind::ActivationCode,
        },
    )?;
    let vera = inv.session(t, vera.id)?;
    let irina = inv.session(t, irina.id)?;

    // Ellen Emporium's stock from the vendor (orders 1208, 1209).
    for product in [&cl, &uac] {
        vera.assign(NewAssignment {
            from: tenant.vendor,
            to: ellen.id,
            product: product.id,
            quantity: 10,
            purchase_order: Some("JA-2017-10".into()),
            comments: None,
        })?;
    }
    // 01:45 Ellen Emporium assigns to MGA Inc: 1210 (3 Center Licenses), 1211 (2 codes).
    clock.set(Some(at("01:45")?));
    irina.assign(NewAssignment {
        from: ellen.id,
        to: mga.id,
        product: cl.id,
        quantity: 3,
        purchase_order: Some("EE2017-1".into()),
        comments: None,
    })?;
    let o1211 = irina.assign(NewAssignment {
        from: ellen.id,
        to: mga.id,
        product: uac.id,
        quantity: 2,
        purchase_order: Some("EE2017-5".into()),
        comments: None,
    })?;
    // 01:52 MGA Inc assigns one code to Elerome School: 1212.
    clock.set(Some(at("01:52")?));
    irina.assign(NewAssignment {
        from: mga.id,
        to: elerome.id,
        product: uac.id,
        quantity: 1,
        purchase_order: None,
        comments: None,
    })?;
    // 02:24 MGA Inc requests 2 Center Licenses from Ellen Emporium (1213), then edits it to 1.
    clock.set(Some(at("02:24")?));
    let o1213 = irina.request(NewRequest {
        holder: mga.id,
        product: cl.id,
        quantity: 2,
        purchase_order: Some("20171019".into()),
        comments: None,
    })?;
    clock.set(Some(at("02:31")?));
    irina.edit_request(
        o1213.id,
        RequestEdit {
            quantity: Some(1),
            comments: Some("One more center license, please.".into()),
            ..Default::default()
        },
    )?;

    // ---- Step 1: Irina picks her administrator role from the Role menu ------------------
    let roles: Vec<String> = irina
        .roles_of(irina.user())?
        .iter()
        .map(|r| format!("{} ({})", r.org_name, r.tier))
        .collect();
    println!("Role: {}", roles.join(", "));
    println!();

    // ---- License Inventory of MGA Inc ------------------------------------------------------
    println!("License Inventory: {} ({})", mga.name, mga.tier);
    println!();
    let summary = irina.summary(mga.id)?;
    for line in &summary {
        // The guide's indicators speak in plurals: "Assigned Center Licenses: 3".
        let plural = if line.product_name.ends_with('s') {
            ""
        } else {
            "s"
        };
        println!("Assigned {}{plural}: {}", line.product_name, line.available);
    }
    println!(
        "Pending Requests: {}",
        summary.iter().map(|l| l.pending_requests).sum::<u64>()
    );
    println!();
    let page = irina.list(mga.id, &InventoryFilter::default(), None, 50)?;
    let rows: Vec<Vec<String>> = page.items.iter().map(inventory_row).collect();
    table(&INVENTORY_HEADER, &rows);

    // ---- Ellen Emporium's approval queue: the requests submitted to it for approval ---------
    println!();
    println!(
        "Requests Submitted for Approval: {} ({})",
        ellen.name, ellen.tier
    );
    println!();
    let queue = irina.approval_queue(ellen.id, &InventoryFilter::default(), None, 50)?;
    let rows: Vec<Vec<String>> = queue.items.iter().map(inventory_row).collect();
    table(&INVENTORY_HEADER, &rows);

    // ---- Detail of Inventory Use of 1211 ------------------------------------------------
    let usage = irina.detail_of_use(o1211.id)?;
    let o = &usage.order.order;
    println!();
    println!("Detail of Inventory Use");
    println!();
    println!("Order Number: {}", o.number);
    println!(
        "Purchase Order: {}",
        o.purchase_order.as_deref().unwrap_or("")
    );
    println!("Inventory Type: {}", usage.order.product_name);
    println!("Assigned Inventory: {}", o.approved_quantity);
    println!("Available Inventory: {}", o.available);
    println!();
    let rows: Vec<Vec<String>> = usage
        .draws
        .iter()
        .map(|d| {
            vec![
                d.order_number.to_string(),
                d.purchase_order.clone().unwrap_or_default(),
                d.quantity.to_string(),
                date(d.at),
                who(&d.requested_by_org, d.requested_by_user.as_deref()),
                who(&d.approved_by_org, d.approved_by_user.as_deref()),
            ]
        })
        .collect();
    table(
        &[
            "Order Number",
            "Purchase Order",
            "Assigned",
            "Date of Assignment",
            "Requested By",
            "Approved By",
        ],
        &rows,
    );

    // ---- Order Details of 1211 ------------------------------------------------------------
    let d = irina.order_by_number(OrderNumber(1211))?;
    let o = &d.order;
    println!();
    println!("Order Details");
    println!();
    let fields = [
        ("Order Number", o.number.to_string()),
        (
            "Purchase Order",
            o.purchase_order.clone().unwrap_or_default(),
        ),
        ("Order Status", o.status.label().to_owned()),
        (
            "Assigned By",
            who(
                d.source_name.as_deref().unwrap_or(""),
                d.approved_by_name.as_deref(),
            ),
        ),
        ("Assigned To", d.holder_name.clone()),
        ("Inventory Type", d.product_name.clone()),
        ("Quantity", o.approved_quantity.to_string()),
        (
            "Requester Comments",
            o.requester_comments.clone().unwrap_or_default(),
        ),
        (
            "Approval Comments",
            o.approval_comments.clone().unwrap_or_default(),
        ),
    ];
    for (label, value) in fields {
        println!(
            "{}",
            format!("{:<20}{}", format!("{label}:"), value).trim_end()
        );
    }
    println!();
    // ---- The life of order 1210, as in the vendor platform's Order Detail View -----------
    // The vendor's Center License policy: two devices per license, perpetual.
    let policy = LicensePolicy {
        validity: Validity::Perpetual,
        max_activations: 2,
        floating: None,
        trial: false,
    };
    inv.set_product_policy(t, cl.id, policy)?;
    clock.set(Some(at("09:00")?));
    let o1210 = irina.order_by_number(OrderNumber(1210))?.order;
    println!();
    println!("Order 1210");
    println!();
    let licenses = irina.issue(o1210.id, 2)?;
    let keys: Vec<String> = licenses.iter().map(|l| l.key.to_string()).collect();
    println!("Issued {} licenses: {}", keys.len(), keys.join(", "));
    irina.set_customer(
        o1210.id,
        Some(Customer {
            name: "Elerome School".into(),
            email: Some("principal@elerome.example".into()),
            company: Some("Elerome School".into()),
            phone: None,
            reference: Some("ES-2017".into()),
        }),
    )?;
    println!("Customer: Elerome School <principal@elerome.example>");
    let lena = inv.create_user(
        t,
        NewUser {
            name: "Lena Manager".into(),
            email: "lena@elerome.example".into(),
        },
    )?;
    let granted = irina.add_license_manager(
        o1210.id,
        lena.id,
        &[Permission::ManageLicenseUsers, Permission::ResetDevice],
    )?;
    let perms: Vec<&str> = granted.permissions.iter().map(|p| p.as_str()).collect();
    println!("License manager: {} ({})", lena.name, perms.join(", "));
    let lena = inv.session(t, lena.id)?;
    let student = lena.add_license_user(
        o1210.id,
        NewLicenseUser {
            email: "student@elerome.example".into(),
            name: Some("Stu Dent".into()),
            password: None,
        },
    )?;
    lena.assign_license(licenses[0].id, Some(student.id))?;
    println!("License user: {} holds {}", student.email, keys[0]);
    let activated = inv.activate(t, &keys[0], "front-desk", "Front desk PC")?;
    println!(
        "Activated {} on front-desk: {} of {} devices",
        keys[0],
        activated.activations.len(),
        activated.policy.max_activations
    );
    let reset = lena.reset_device(licenses[0].id, "front-desk")?;
    println!(
        "Lena Manager reset device front-desk: {} devices",
        reset.activations.len()
    );
    match lena.issue(o1210.id, 1) {
        Err(e @ Error::PermissionDenied { .. }) => {
            println!("Lena Manager may not issue licenses ({})", e.code())
        }
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }
    let csv_path = path.with_extension("1210.csv");
    let rows = irina.export_order_csv(o1210.id, std::fs::File::create(&csv_path)?)?;
    println!(
        "Exported order 1210: {rows} license rows to {}",
        csv_path.display()
    );
    let before = irina.order(o1210.id)?.order;
    irina.delete_order(o1210.id)?;
    let ellen_stock = irina.order_by_number(OrderNumber(1208))?.order;
    println!(
        "Deleted order 1210: {} unused unit{} back to 1208 ({} available), {} licenses retired",
        before.available,
        if before.available == 1 { "" } else { "s" },
        ellen_stock.available,
        before.issued
    );
    println!();
    let audit = inv.audit(t)?;
    println!(
        "Audit: {} orders, {} ledger entries, minted {} - retired {} = available {} + issued {}: {}",
        audit.orders,
        audit.ledger_entries,
        audit.minted,
        audit.retired,
        audit.available,
        audit.issued,
        if audit.is_clean() {
            "clean"
        } else {
            "PROBLEMS"
        }
    );
    println!("Store: {}", path.display());
    if !audit.is_clean() {
        return Err(format!("audit problems: {:?}", audit.problems).into());
    }
    Ok(())
}
