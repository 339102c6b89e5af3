//! The highlight cache: output is byte for byte the same with and without
//! it, warm or cold, whatever state the cache folder is in, and nothing in
//! the folder can change what readers see.

use crate::common;

use common::{Fixture, snapshot_tree};

/// A site with code, keeping its cache in a `.manual-cache/` of its own
/// (as a project that asks for one does), so the tests can look in it.
fn site_with_code() -> Fixture {
    let site = Fixture::new();
    std::fs::create_dir(site.path(".manual-cache")).unwrap();
    for i in 0..6 {
        site.page(
            &format!("p{i}"),
            &format!("Page {i}"),
            "Code",
            &format!(
                "Intro.\n\n```ruby\n# step {i}\ndef run(x)\n  puts \"<b>#{{x}}</b> & more\"\nend\n```\n\n```yaml\nkey: {i}\n```\n\n```sh\necho done\n```\n"
            ),
        );
    }
    site
}

fn build(site: &Fixture, out: &str, args: &[&str]) -> common::Run {
    let mut all = vec!["--out", out];
    all.extend_from_slice(args);
    let run = site.build(&all);
    run.assert_ok();
    run
}

/// The file that holds the cache's entries, in `folder`.
fn pack_in(site: &Fixture, folder: &str) -> std::path::PathBuf {
    let version = std::fs::read_dir(site.path(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("highlight-")
        })
        .unwrap();
    version.join("pack")
}

fn pack_of(site: &Fixture) -> std::path::PathBuf {
    pack_in(site, ".manual-cache")
}

/// The keys of the entries in the pack in `folder`, in its order: each
/// entry is its key, a space, its length, a newline, the entry, a newline.
fn entries(site: &Fixture, folder: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(pack_in(site, folder)).unwrap();
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some((line, after)) = rest.split_once('\n') {
        let (key, length) = line.split_once(' ').unwrap();
        let length: usize = length.parse().unwrap();
        found.push((key.to_string(), after[..length].to_string()));
        rest = &after[length + 1..];
    }
    found
}

#[test]
fn output_is_the_same_with_and_without_the_cache() {
    let site = site_with_code();
    build(&site, "plain", &["--no-cache"]);
    assert_eq!(
        std::fs::read_dir(site.path(".manual-cache"))
            .unwrap()
            .count(),
        0,
        "--no-cache writes none"
    );
    build(&site, "cold", &[]);
    let stored = entries(&site, ".manual-cache");
    assert_eq!(
        stored.len(),
        13,
        "one entry per distinct block (6 + 6 + 1): {stored:?}"
    );
    build(&site, "warm", &[]);
    let plain = snapshot_tree(&site.path("plain"));
    assert_eq!(plain, snapshot_tree(&site.path("cold")));
    assert_eq!(plain, snapshot_tree(&site.path("warm")));
    // The folder says it is a cache to git and to backup tools.
    assert!(site.read(".manual-cache/.gitignore").contains('*'));
    assert!(
        site.read(".manual-cache/CACHEDIR.TAG")
            .starts_with("Signature: 8a477f597d28d172789f06886806bc55")
    );

    // --cache-dir moves it.
    build(&site, "moved", &["--cache-dir", "elsewhere/cache"]);
    assert_eq!(entries(&site, "elsewhere/cache").len(), 13);
    assert_eq!(plain, snapshot_tree(&site.path("moved")));
}

/// A project that keeps no cache folder of its own has nothing written
/// into it but its output: the cache is in the user's cache folder, one
/// per project folder, and used again from there.
#[test]
fn without_a_cache_folder_of_its_own_a_project_gets_one_in_the_user_cache() {
    let site = site_with_code();
    std::fs::remove_dir(site.path(".manual-cache")).unwrap();
    site.write(".gitignore", "/build/\n");
    let user = tempfile::tempdir().unwrap();
    let before: Vec<_> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let run = build_as(&site, "build", user.path());
    let mut after: Vec<_> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    after.retain(|name| name != "build");
    assert_eq!(before.len(), after.len(), "{after:?}");
    let projects: Vec<_> = std::fs::read_dir(user.path().join("manual/projects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(projects.len(), 1, "{projects:?}");
    let name = projects[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let folder_name = site
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with(&folder_name.replace('.', "_")), "{name}");
    assert!(std::fs::read_dir(&projects[0]).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("highlight-")
    }));
    assert_eq!(reused(&run), 0);
    // The next build finds it: every output is taken from the last site.
    let again = build_as(&site, "build", user.path());
    assert!(reused(&again) > 0, "{}", again.stderr());
}

#[test]
fn a_tampered_or_broken_cache_never_changes_a_page() {
    let site = site_with_code();
    build(&site, "plain", &["--no-cache"]);
    build(&site, "cold", &[]);
    let plain = snapshot_tree(&site.path("plain"));
    // Every entry replaced: one with script, one with other code, one cut
    // short, the rest emptied.
    let pack = pack_of(&site);
    let tampered: String = entries(&site, ".manual-cache")
        .iter()
        .enumerate()
        .map(|(i, (key, html))| {
            let bad = match i {
                0 => "<script>alert(1)</script>".to_string(),
                1 => "<span class=\"c2\">rm -rf /</span>\n".to_string(),
                2 => html[..5].to_string(),
                _ => String::new(),
            };
            format!("{key} {}\n{bad}\n", bad.len())
        })
        .collect();
    std::fs::write(&pack, &tampered).unwrap();
    let run = build(&site, "tampered", &[]);
    run.assert_stderr_has("did not match its code and was not used");
    assert_eq!(plain, snapshot_tree(&site.path("tampered")));

    // A pack cut short, or not a pack at all, changes nothing either.
    std::fs::write(&pack, &tampered[..tampered.len() / 2]).unwrap();
    build(&site, "half-pack", &[]);
    assert_eq!(plain, snapshot_tree(&site.path("half-pack")));
    std::fs::write(&pack, "\u{0}not a pack\n").unwrap();
    build(&site, "not-a-pack", &[]);
    assert_eq!(plain, snapshot_tree(&site.path("not-a-pack")));
    // The bad entries were replaced by good ones.
    let run = build(&site, "again", &[]);
    assert!(!run.stderr().contains("did not match"), "{}", run.stderr());

    // A cache of another version is removed, with a note.
    let other = site.path(".manual-cache/highlight-0123456789abcdef/ab");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("abcd"), "x").unwrap();
    build(&site, "versions", &[]).assert_stderr_has("removed a cache of another version");
    assert!(
        !site
            .path(".manual-cache/highlight-0123456789abcdef")
            .exists()
    );

    // A cache "folder" that is a file: noted, and the build goes on.
    site.write("not-a-folder", "x");
    let run = build(&site, "file", &["--cache-dir", "not-a-folder"]);
    run.assert_stderr_has("cannot be used");
    assert_eq!(plain, snapshot_tree(&site.path("file")));
}

#[test]
fn a_cache_folder_that_is_a_link_is_not_written_through() {
    let site = site_with_code();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_dir(site.path(".manual-cache")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.path(".manual-cache")).unwrap();
    build(&site, "out", &[]).assert_stderr_has("cannot be used");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn two_builds_at_once_share_a_cache_safely() {
    let site = site_with_code();
    build(&site, "plain", &["--no-cache"]);
    let plain = snapshot_tree(&site.path("plain"));
    let dir = site.dir.path().to_path_buf();
    let builds: Vec<_> = (0..2)
        .map(|i| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                common::manual_cmd()
                    .current_dir(&dir)
                    .args(["build", "--out", &format!("together{i}")])
                    .output()
                    .unwrap()
            })
        })
        .collect();
    for build in builds {
        assert!(build.join().unwrap().status.success());
    }
    assert_eq!(plain, snapshot_tree(&site.path("together0")));
    assert_eq!(plain, snapshot_tree(&site.path("together1")));
}

#[test]
fn the_output_cannot_be_the_cache() {
    let site = site_with_code();
    site.build(&["--out", ".manual-cache"])
        .assert_could_not_run()
        .assert_stderr_has("the cache folder");
}

/// How many outputs a build (run with `-v`) took from the site it replaced.
fn reused(run: &common::Run) -> usize {
    run.stderr()
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_suffix(" unchanged files taken from the site replaced")
        })
        .map_or(0, |n| n.parse().unwrap())
}

/// `build -v` into `out` with the user's key kept in `user_cache`.
fn build_as(site: &Fixture, out: &str, user_cache: &std::path::Path) -> common::Run {
    let run = common::manual_cmd()
        .current_dir(site.dir.path())
        .env("XDG_CACHE_HOME", user_cache)
        .args(["build", "-v", "--out", out])
        .output()
        .unwrap();
    let run = common::Run(run);
    run.assert_ok();
    run
}

#[test]
fn a_warm_build_makes_only_what_changed_and_writes_what_a_clean_build_writes() {
    let site = site_with_code();
    let user = tempfile::tempdir().unwrap();
    let first = build_as(&site, "site", user.path());
    assert_eq!(reused(&first), 0, "nothing to take the first time");
    let unchanged = build_as(&site, "site", user.path());
    let all = reused(&unchanged);
    assert!(all >= 6, "every page is taken: {}", unchanged.stderr());

    // Each kind of change, then the same site built clean: the warm build
    // writes byte for byte what the clean one does.
    let changes: [(&str, &dyn Fn()); 4] = [
        ("a page's body", &|| {
            site.page("p1", "Page 1", "Code", "Changed body.\n");
        }),
        ("a page's title, which other pages list", &|| {
            site.page("p2", "Renamed page", "Code", "Body.\n");
        }),
        ("a new page", &|| {
            site.page("p9", "Page 9", "Other", "New.\n");
        }),
        ("the settings", &|| {
            site.write("site.yml", "service_name: Another name\n");
        }),
    ];
    for (what, change) in changes {
        change();
        let warm = build_as(&site, "site", user.path());
        site.build(&["--out", "clean", "--no-cache"]).assert_ok();
        assert_eq!(
            snapshot_tree(&site.path("clean")),
            snapshot_tree(&site.path("site")),
            "after a change to {what}"
        );
        assert!(reused(&warm) < all, "{what}: something was made again");
    }
    // The site's name is on every page, so the last build made them all.
    let retitled = reused(&build_as(&site, "site", user.path()));
    assert!(retitled > 0, "unchanged again");
}

#[test]
fn outputs_are_taken_only_from_a_site_this_user_built_and_nobody_touched() {
    let site = site_with_code();
    let user = tempfile::tempdir().unwrap();
    build_as(&site, "site", user.path());
    let clean = snapshot_tree(&site.path("site"));
    let page = site.path("site/manual/p1.html");
    let good = std::fs::read(&page).unwrap();

    // A file replaced in the published site is made again.
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, b"<script>alert(1)</script>").unwrap();
    build_as(&site, "site", user.path());
    assert_eq!(std::fs::read(&page).unwrap(), good);

    // Another user's key (a record committed to the cache folder, or made
    // on another machine) opens no record.
    let stranger = tempfile::tempdir().unwrap();
    assert_eq!(reused(&build_as(&site, "site", stranger.path())), 0);
    // A record edited by hand is not opened either.
    let records = site.path(".manual-cache/outputs");
    for record in std::fs::read_dir(&records).unwrap() {
        let path = record.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"fingerprint\":", "\"fingerprint\": ")).unwrap();
    }
    assert_eq!(reused(&build_as(&site, "site", stranger.path())), 0);

    // The project copied, cache and site with it, as a pull request would
    // commit them: the copies are other files, so nothing is taken.
    let copy = Fixture::new();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", site.dir.path().display()))
        .arg(copy.dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(reused(&build_as(&copy, "site", stranger.path())), 0);
    assert_eq!(clean, snapshot_tree(&copy.path("site")));
}
