//! docs/SCALING.md shows the scaling recipes' scripts exactly as they are in `scripts/`.

use std::collections::BTreeSet;

use crate::util::root;

/// The fenced block after each `<!-- file: PATH -->` line of docs/SCALING.md, by path.
fn shown_files(doc: &str) -> Vec<(String, String)> {
    let mut shown = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line.strip_prefix("<!-- file: ").and_then(|rest| rest.strip_suffix(" -->")) else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(fence.starts_with("```"), "no fenced block after the marker of {path}");
        let body: String = lines.by_ref().take_while(|l| *l != "```").map(|l| format!("{l}\n")).collect();
        shown.push((path.to_owned(), body));
    }
    shown
}

#[test]
fn scaling_md_shows_the_recipe_scripts_as_they_are() {
    let doc = std::fs::read_to_string(root().join("docs/SCALING.md")).expect("docs/SCALING.md");
    let shown = shown_files(&doc);
    for (path, body) in &shown {
        let file = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(file == *body, "docs/SCALING.md shows {path} other than it is; copy the file into the doc");
    }
    // Every recipe file is shown; the CI checks that run them (check.sh) are only named.
    let mut recipes = BTreeSet::new();
    for dir in ["scripts/slurm", "scripts/parallel"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("a scripts folder") {
            let name = entry.expect("a directory entry").file_name().into_string().expect("a UTF-8 name");
            if name != "check.sh" {
                recipes.insert(format!("{dir}/{name}"));
            }
        }
    }
    let documented: BTreeSet<String> = shown.into_iter().map(|(path, _)| path).collect();
    assert_eq!(documented, recipes);
}
