//! Rolling per-key sums up the organization tree: per OU (the accounts directly in it, and
//! the subtotal of its whole subtree, nested OUs included), per account, per service and per
//! region, each per currency.
//!
//! Invariants (tested): an OU's subtotal is the sum of its direct accounts and its child OUs'
//! subtotals; the root's subtotal plus the accounts not in the organization is the grand total
//! of every row summed.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Aggregate, Money, Sums};
use crate::org::{NodeId, NodeKind, OrgTree};

/// One root or OU, in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct OuRow {
    /// `r-...` or `ou-...`.
    pub id: String,
    /// The OU's name (`Root` for the root).
    pub name: String,
    /// `root` or `ou`.
    pub kind: NodeKind,
    /// Depth below the root (root 0).
    pub depth: usize,
    /// The parent's id (`None` for the root).
    pub parent: Option<String>,
    /// ISO 4217 currency.
    pub currency: String,
    /// Spend of the accounts directly in this node.
    pub direct: Money,
    /// Spend of the whole subtree (direct accounts plus nested OUs).
    pub total: Money,
    /// Rows summed into `total`.
    pub rows: u64,
}

/// One account, in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    /// The 12-digit id as the export writes it (empty for charges with no account).
    pub id: String,
    /// The account's name in the org file, when it is there.
    pub name: Option<String>,
    /// The id of the OU (or root) holding it, when it is in the org.
    pub parent: Option<String>,
    /// False for accounts in the export but not in the org file.
    pub in_org: bool,
    /// ISO 4217 currency.
    pub currency: String,
    /// Its spend.
    pub money: Money,
    /// Rows summed.
    pub rows: u64,
}

/// One service or region, in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    /// The service as the export writes it, or the region code (empty: no region).
    pub key: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// Its spend.
    pub money: Money,
    /// Rows summed.
    pub rows: u64,
}

/// One currency's grand total.
#[derive(Debug, Clone, Serialize)]
pub struct TotalRow {
    /// ISO 4217 currency.
    pub currency: String,
    /// Every row summed.
    pub money: Money,
    /// Rows summed.
    pub rows: u64,
}

/// Every view of the spend.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    /// Root and OUs with spend below them, in tree order (depth first, file order), each
    /// node's currencies sorted.
    pub by_ou: Vec<OuRow>,
    /// Accounts sorted by id, then currency; those not in the org included (`in_org` false).
    pub by_account: Vec<AccountRow>,
    /// Services sorted by name, then currency.
    pub by_service: Vec<GroupRow>,
    /// Regions sorted by code, then currency.
    pub by_region: Vec<GroupRow>,
    /// Grand totals per currency.
    pub totals: Vec<TotalRow>,
}

impl Rollup {
    /// The accounts of the export that the org file does not have.
    pub fn not_in_org(&self) -> impl Iterator<Item = &AccountRow> {
        self.by_account.iter().filter(|a| !a.in_org)
    }
}

fn group(agg: &Aggregate, key: impl Fn(&super::Key) -> &str) -> Vec<GroupRow> {
    let mut m: BTreeMap<(&str, &str), Sums> = BTreeMap::new();
    for (k, s) in &agg.entries {
        m.entry((key(k), k.currency.as_str())).or_default().add(s);
    }
    m.into_iter()
        .map(|((k, c), s)| GroupRow {
            key: k.to_string(),
            currency: c.to_string(),
            money: s.all,
            rows: s.rows,
        })
        .collect()
}

/// Rolls the sums up `org`.
pub fn rollup(org: &OrgTree, agg: &Aggregate) -> Rollup {
    let accounts: HashMap<&str, NodeId> = org
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Account)
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();

    // Per account and currency.
    let mut per_account: BTreeMap<(&str, &str), Sums> = BTreeMap::new();
    for (k, s) in &agg.entries {
        per_account
            .entry((k.account.as_str(), k.currency.as_str()))
            .or_default()
            .add(s);
    }
    let by_account: Vec<AccountRow> = per_account
        .iter()
        .map(|(&(id, cur), s)| {
            let node = accounts.get(id).copied();
            AccountRow {
                id: id.to_string(),
                name: node.map(|n| org.nodes[n].name.clone()),
                parent: node
                    .and_then(|n| org.nodes[n].parent)
                    .map(|p| org.nodes[p].id.clone()),
                in_org: node.is_some(),
                currency: cur.to_string(),
                money: s.all,
                rows: s.rows,
            }
        })
        .collect();

    // Per node (direct and subtree) and currency.
    let mut direct: HashMap<(NodeId, &str), Sums> = HashMap::new();
    let mut total: HashMap<(NodeId, &str), Sums> = HashMap::new();
    for (&(id, cur), s) in &per_account {
        let Some(&a) = accounts.get(id) else { continue };
        if let Some(p) = org.nodes[a].parent {
            direct.entry((p, cur)).or_default().add(s);
        }
        for n in org.chain(a) {
            if org.nodes[n].kind != NodeKind::Account {
                total.entry((n, cur)).or_default().add(s);
            }
        }
    }
    let mut currencies: Vec<&str> = per_account.keys().map(|k| k.1).collect();
    currencies.sort_unstable();
    currencies.dedup();
    let mut by_ou = Vec::new();
    let mut stack = vec![0usize];
    while let Some(n) = stack.pop() {
        let node = &org.nodes[n];
        if node.kind == NodeKind::Account {
            continue;
        }
        for cur in &currencies {
            let Some(t) = total.get(&(n, *cur)) else {
                continue;
            };
            by_ou.push(OuRow {
                id: node.id.clone(),
                name: node.name.clone(),
                kind: node.kind,
                depth: org.depth(n),
                parent: node.parent.map(|p| org.nodes[p].id.clone()),
                currency: (*cur).to_string(),
                direct: direct.get(&(n, *cur)).map(|s| s.all).unwrap_or_default(),
                total: t.all,
                rows: t.rows,
            });
        }
        stack.extend(node.children.iter().rev());
    }

    let totals = agg
        .totals()
        .into_iter()
        .map(|(currency, s)| TotalRow {
            currency,
            money: s.all,
            rows: s.rows,
        })
        .collect();
    Rollup {
        by_ou,
        by_account,
        by_service: group(agg, |k| k.service.as_str()),
        by_region: group(agg, |k| k.region.as_str()),
        totals,
    }
}
