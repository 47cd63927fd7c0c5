//! The views manifest (`evident.toml`): where it is looked for, and errors that name the file
//! and the line.

use super::courses::{COURSE_QUERY, Courses, define};
use super::*;

fn manifest(dir: &Path, text: &str) -> PathBuf {
    write(dir, "views.toml", text)
}

/// `evident view course-capacity --views <manifest> --store <a store with one course>`.
fn view_with(courses: &Courses, manifest: &Path) -> Command {
    let mut view = evident();
    view.args(["view", "course-capacity", "--param", "course=c1", "--store"])
        .arg(&courses.store)
        .arg("--views")
        .arg(manifest);
    view
}

#[test]
fn bad_manifests_are_named_with_their_line() {
    let courses = Courses::new();
    courses
        .decide(&courses.command(&define("c1", 3)))
        .assert()
        .success();
    let dir = courses.dir.path();
    let capacity = component("course-capacity");
    let cases = [
        (
            format!(
                "# views\n[[view]]\nname = \"course-capacity\"\ncomponent = '{}'\nquery = '{{\"items\":[{{\"tags\":[\"course\"]}}]}}'\n",
                capacity.display()
            ),
            "views.toml:5: view `course-capacity`: `query` is not a DCB query",
        ),
        (
            "[[view]]\nname = \"course-capacity\"\ncomponent = \"x.wasm\"\nqeury = \"{}\"\n"
                .to_owned(),
            "line 4",
        ),
        (
            "[[view]]\nname = \"course-capacity\"\nversion = \"one\"\ncomponent = \"x.wasm\"\n"
                .to_owned(),
            "views.toml:3: view `course-capacity`: version \"one\" is not a semantic version",
        ),
        (
            "[[view]]\nname = \"course-capacity\"\ncomponent = \"missing.wasm\"\n".to_owned(),
            "views.toml:2: view `course-capacity`: component",
        ),
        (
            "[[view]]\nname = \"course-capacity\"\ncomponent = [1]\n".to_owned(),
            "line 3",
        ),
    ];
    for (text, expected) in cases {
        let file = manifest(dir, &text);
        view_with(&courses, &file)
            .assert()
            .code(1)
            .stderr(contains(expected).and(contains("views.toml")));
        // A decision reads its views from the same manifest, and fails the same way.
        evident()
            .arg("decide")
            .arg(component("course-subscriptions"))
            .args(["--store", &courses.store, "--views"])
            .arg(&file)
            .arg("--command")
            .arg(courses.command(&define("c2", 3)))
            .assert()
            .code(1)
            .stderr(contains(expected));
    }
    // Not a view of the manifest: the views it has are named.
    let file = manifest(
        dir,
        &format!(
            "[[view]]\nname = \"capacity\"\ncomponent = '{}'\nquery = '{COURSE_QUERY}'\n",
            capacity.display()
        ),
    );
    view_with(&courses, &file).assert().code(1).stderr(contains(
        "declares no view `course-capacity` (it declares: capacity)",
    ));
    // A parameter the query needs, missing.
    evident()
        .args(["view", "capacity", "--store", &courses.store, "--views"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains("the parameter `course`, which is not given"));
}

#[test]
fn without_a_manifest_a_view_is_a_component_folding_every_event() {
    let courses = Courses::new();
    courses
        .decide(&courses.command(&define("c1", 3)))
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    // No evident.toml here, and no --views: a name finds nothing ...
    evident()
        .args(["view", "course-capacity", "--store", &courses.store])
        .env_remove("EVIDENT_VIEWS")
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stderr(contains("there is no views manifest"));
    // ... a component is the view, of every event ...
    evident()
        .arg("view")
        .arg(component("course-capacity"))
        .args(["--param", "course=c1", "--store", &courses.store])
        .env_remove("EVIDENT_VIEWS")
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(contains("\"capacity\": 3"))
        .stderr(contains(
            "is in no views manifest: it is the view `course_capacity`",
        ));
    // ... and ./evident.toml is found when there is one, and EVIDENT_VIEWS names one.
    std::fs::copy(&courses.views, dir.path().join("evident.toml")).unwrap();
    evident()
        .args([
            "view",
            "course-capacity",
            "--param",
            "course=c1",
            "--store",
            &courses.store,
        ])
        .env_remove("EVIDENT_VIEWS")
        .current_dir(dir.path())
        .assert()
        .success()
        .stderr(contains("course-capacity 1.0.0 {course=c1} at position 1"));
    evident()
        .args([
            "view",
            "course-capacity",
            "--param",
            "course=c1",
            "--store",
            &courses.store,
        ])
        .env("EVIDENT_VIEWS", &courses.views)
        .assert()
        .success()
        .stdout(contains("\"defined\": true"));
    // A component a manifest lists is that view.
    evident()
        .arg("view")
        .arg(component("course-capacity"))
        .args(["--param", "course=c1", "--store", &courses.store])
        .env("EVIDENT_VIEWS", &courses.views)
        .assert()
        .success()
        .stderr(contains("course-capacity 1.0.0 {course=c1}"));
}
