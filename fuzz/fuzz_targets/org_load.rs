//! Org file text (YAML or JSON) -> org loader and validation (policy files resolve against
//! fixtures/orgs/example), then walking the tree the loader built.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scpsim::catalog::Catalog;
use scpsim::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(catalog) = Catalog::load() else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/orgs/example");
    let source = SourceFile::new("org.yaml", text);
    let loaded = scpsim::org::local::load_source(&source, &dir, &catalog.quotas());
    for d in &loaded.diagnostics {
        // Every diagnostic points inside the file.
        assert!(d.span.end <= text.len(), "span out of range: {d:?}");
    }
    let Some(tree) = loaded.tree else {
        return;
    };
    for a in tree.accounts() {
        let chain = tree.chain(a);
        assert!(
            chain.len() <= tree.nodes.len(),
            "chain longer than the tree"
        );
        let _ = tree.depth(a);
        let _ = tree.org_path(a);
        let _ = tree.is_management(a);
        let _ = tree.account(&tree.nodes[a].id);
    }
});
