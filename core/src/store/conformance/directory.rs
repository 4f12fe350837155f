//! The directory: organizations, users, admins, roles, products and bundles, each read scoped
//! like orders (docs/rules.md §6).

use super::*;

suite!(
    directory => __conformance_suite_directory:
    organizations_by_visibility,
    users_admins_and_roles_by_visibility,
    products_bundles_and_paging,
    directory_input_is_checked,
);

fn names(orgs: &[Organization]) -> Vec<&str> {
    orgs.iter().map(|o| o.name.as_str()).collect()
}

fn all_orgs(s: &Session, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.search_orgs(prefix, cursor, 2).unwrap();
        assert!(page.items.len() <= 2);
        out.extend(page.items.iter().map(|o| o.name.clone()));
        match page.next {
            // The cursor survives a round trip through its text form.
            Some(c) => cursor = Some(c.to_string().parse().unwrap()),
            None => return out,
        }
    }
}

/// Rita administers MGA Inc only (a reseller).
fn rita(w: &World) -> Session {
    let rita = w.user("Rita Reseller");
    w.inv.grant_admin(w.tenant.id, rita.id, w.mga.id).unwrap();
    w.session(&rita)
}

/// From the vendor, a distributor, a reseller and a center: each sees its own branch (the
/// vendor all of them), never another, and searches names case-insensitively. Name order is
/// the folded names' code-point order (so "Éclair" comes after "Other").
fn organizations_by_visibility(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let rita = rita(&w);
    let eclair = w
        .inv
        .create_org(
            w.tenant.id,
            NewOrganization {
                name: "Éclair École".into(),
                tier: Tier::Reseller,
                parent: w.ellen.id,
            },
        )
        .unwrap();

    // The vendor: everything.
    assert_eq!(
        all_orgs(&w.vera, ""),
        [
            "Elerome School",
            "Ellen Emporium",
            "Jasperactive",
            "MGA Inc",
            "Other Distribution",
            "Éclair École"
        ]
    );
    let tree = w.vera.subtree(w.tenant.vendor, 16, None, 50).unwrap();
    let levels: Vec<_> = tree
        .items
        .iter()
        .map(|e| (e.org.name.as_str(), e.depth))
        .collect();
    assert_eq!(
        levels,
        [
            ("Jasperactive", 0),
            ("Ellen Emporium", 1),
            ("Other Distribution", 1),
            ("MGA Inc", 2),
            ("Éclair École", 2),
            ("Elerome School", 3)
        ]
    );
    let shallow = w.vera.subtree(w.tenant.vendor, 1, None, 50).unwrap();
    assert_eq!(shallow.items.len(), 3);
    assert_eq!(
        names(&w.vera.child_orgs(w.ellen.id, None, 50).unwrap().items),
        ["MGA Inc", "Éclair École"]
    );
    // Case-insensitive, Unicode-folded, no normalisation: "éc" and "ÉC" find Éclair, "ec" not.
    assert_eq!(all_orgs(&w.vera, "éc"), ["Éclair École"]);
    assert_eq!(all_orgs(&w.vera, "ÉC"), ["Éclair École"]);
    assert_eq!(all_orgs(&w.vera, "ec"), Vec::<String>::new());
    assert_eq!(all_orgs(&w.vera, "  e"), ["Elerome School", "Ellen Emporium"]);
    assert_eq!(w.vera.organization(eclair.id).unwrap(), eclair);

    // A distributor of the other branch sees its branch only.
    assert_eq!(all_orgs(&w.olga, ""), ["Other Distribution"]);
    assert_eq!(all_orgs(&w.olga, "e"), Vec::<String>::new());
    // Irina (Ellen and MGA): Ellen's subtree.
    assert_eq!(
        all_orgs(&w.irina, ""),
        ["Elerome School", "Ellen Emporium", "MGA Inc", "Éclair École"]
    );
    // A reseller: MGA and its center.
    assert_eq!(all_orgs(&rita, ""), ["Elerome School", "MGA Inc"]);
    let mga_tree = rita.subtree(w.mga.id, 5, None, 50).unwrap();
    assert_eq!(
        mga_tree
            .items
            .iter()
            .map(|e| (e.org.id, e.depth))
            .collect::<Vec<_>>(),
        [(w.mga.id, 0), (w.elerome.id, 1)]
    );
    // A center: itself.
    assert_eq!(all_orgs(&w.erin, ""), ["Elerome School"]);
    assert!(w.erin.child_orgs(w.elerome.id, None, 10).unwrap().items.is_empty());
    assert_eq!(w.erin.organization(w.elerome.id).unwrap(), w.elerome);

    // Nobody reads above or beside their branch.
    let denied: [(&Session, OrgId); 6] = [
        (&w.olga, w.ellen.id),
        (&w.olga, w.tenant.vendor),
        (&rita, w.ellen.id),
        (&rita, eclair.id),
        (&w.erin, w.mga.id),
        (&w.irina, w.other.id),
    ];
    for (who, org) in denied {
        assert_eq!(err_code(&who.organization(org)), "PERMISSION_DENIED");
        assert_eq!(err_code(&who.child_orgs(org, None, 10)), "PERMISSION_DENIED");
        assert_eq!(err_code(&who.subtree(org, 2, None, 10)), "PERMISSION_DENIED");
        assert_eq!(err_code(&who.org_admins(org)), "PERMISSION_DENIED");
    }
    let missing = OrgId::from_uuid(uuid::Uuid::nil());
    assert_eq!(err_code(&w.vera.organization(missing)), "NOT_FOUND");
}

/// Users: each sees themselves and the admins of the organizations they see; an
/// organization's admins; a user's roles (their Role menu), limited to what the reader sees.
fn users_admins_and_roles_by_visibility(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let rita = rita(&w);
    let user_names = |s: &Session, prefix: &str| -> Vec<String> {
        s.search_users(prefix, None, 100)
            .unwrap()
            .items
            .into_iter()
            .map(|u| u.name)
            .collect()
    };
    assert_eq!(
        user_names(&w.vera, ""),
        [
            "Erin Elerome",
            "Irina Heer",
            "Olga Other",
            "Rita Reseller",
            "Vera Vendor"
        ]
    );
    assert_eq!(
        user_names(&w.irina, ""),
        ["Erin Elerome", "Irina Heer", "Rita Reseller"]
    );
    assert_eq!(user_names(&rita, ""), ["Erin Elerome", "Irina Heer", "Rita Reseller"]);
    assert_eq!(user_names(&w.erin, ""), ["Erin Elerome"]);
    assert_eq!(user_names(&w.olga, ""), ["Olga Other"]);
    // By name or email prefix, case-insensitively.
    assert_eq!(user_names(&w.vera, "IRINA"), ["Irina Heer"]);
    assert_eq!(user_names(&w.vera, "olga@other"), ["Olga Other"]);
    assert_eq!(user_names(&w.irina, "olga"), Vec::<String>::new());

    let irina = w.irina.user();
    let olga = w.olga.user();
    assert_eq!(w.erin.find_user(w.erin.user()).unwrap().name, "Erin Elerome");
    assert_eq!(rita.find_user(irina).unwrap().name, "Irina Heer");
    assert_eq!(err_code(&w.irina.find_user(olga)), "PERMISSION_DENIED");
    assert_eq!(err_code(&w.erin.find_user(irina)), "PERMISSION_DENIED");

    let admins = |s: &Session, org: OrgId| -> Vec<String> {
        s.org_admins(org).unwrap().into_iter().map(|u| u.name).collect()
    };
    assert_eq!(admins(&w.vera, w.mga.id), ["Irina Heer", "Rita Reseller"]);
    assert_eq!(admins(&w.erin, w.elerome.id), ["Erin Elerome"]);

    // Irina's Role menu: her two roles; Rita sees only the one in her branch.
    let roles = w.irina.roles_of(irina).unwrap();
    assert_eq!(
        roles
            .iter()
            .map(|r| (r.org_name.as_str(), r.tier))
            .collect::<Vec<_>>(),
        [
            ("Ellen Emporium", Tier::Distributor),
            ("MGA Inc", Tier::Reseller)
        ]
    );
    assert_eq!(roles[0].org, w.ellen.id);
    assert_eq!(w.vera.roles_of(irina).unwrap(), roles);
    assert_eq!(
        rita.roles_of(irina)
            .unwrap()
            .into_iter()
            .map(|r| r.org)
            .collect::<Vec<_>>(),
        [w.mga.id]
    );
    assert_eq!(err_code(&w.olga.roles_of(irina)), "PERMISSION_DENIED");
    assert!(w.vera.roles_of(w.user("Nobody Yet").id).unwrap().is_empty());
}

/// Products and bundles: every user of the tenant reads them, in name order, paged.
fn products_bundles_and_paging(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let first = w.erin.products(None, 1).unwrap();
    assert_eq!(first.items[0].name, "Center License");
    let next = first.next.clone().unwrap();
    let second = w.erin.products(Some(next), 1).unwrap();
    assert_eq!(second.items[0].name, "User Activation Codes");
    assert!(second.next.is_none());
    assert_eq!(w.olga.product(w.uac.id).unwrap(), w.uac);
    let bundle = w
        .inv
        .create_bundle(
            w.tenant.id,
            NewBundle {
                name: "Classroom pack".into(),
                lines: vec![BundleLine {
                    product: w.cl.id,
                    quantity: 2,
                }],
            },
        )
        .unwrap();
    let bundles = w.erin.bundles(None, 10).unwrap();
    assert_eq!(bundles.items, std::slice::from_ref(&bundle));
    assert_eq!(w.erin.bundle(bundle.id).unwrap(), bundle);
    let missing = ProductId::from_uuid(uuid::Uuid::nil());
    assert_eq!(err_code(&w.erin.product(missing)), "NOT_FOUND");
}

/// Bad limits, depths, cursors and prefixes are typed errors.
fn directory_input_is_checked(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    assert_eq!(err_code(&w.vera.search_orgs("", None, 0)), "INVALID_INPUT");
    assert_eq!(err_code(&w.vera.products(None, 1001)), "INVALID_INPUT");
    assert_eq!(
        err_code(&w.vera.subtree(w.tenant.vendor, 17, None, 10)),
        "INVALID_INPUT"
    );
    assert_eq!(err_code(&w.vera.search_users("a\u{7}", None, 10)), "INVALID_INPUT");
    assert_eq!(
        err_code(&w.vera.search_orgs(&"x".repeat(201), None, 10)),
        "INVALID_INPUT"
    );
    for bad in ["", "o12", "n1", "nx:00000000-0000-0000-0000-000000000000:a", "n0:zz:a"] {
        let err = bad.parse::<NameCursor>().unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT", "{bad}");
    }
}
