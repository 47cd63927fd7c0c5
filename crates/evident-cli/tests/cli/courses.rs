//! The course story of the README: a database decider (guests/course-subscriptions) deciding
//! on a store with the views of a manifest, `evident view` showing those views at any
//! position and from snapshots, and `evident view rebuild`.

use tempfile::TempDir;

use super::*;

/// The queries of guests/course-subscriptions/evident.toml.
pub(super) const COURSE_QUERY: &str = r#"{"items":[{"types":["course.defined","course.capacity-changed","student.subscribed"],"tags":["course:{course}"]}]}"#;
pub(super) const STUDENT_QUERY: &str =
    r#"{"items":[{"types":["student.subscribed"],"tags":["student:{student}"]}]}"#;

/// A store in a temporary directory (or the PostgreSQL database `location`), and a views
/// manifest naming the views' built components, so that the processes build nothing.
pub(super) struct Courses {
    pub(super) dir: TempDir,
    pub(super) store: String,
    pub(super) views: PathBuf,
}

impl Courses {
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store").display().to_string();
        Courses::at(dir, store)
    }

    pub(super) fn at(dir: TempDir, store: String) -> Self {
        let views = write(
            dir.path(),
            "evident.toml",
            &format!(
                "[[view]]\nname = \"course-capacity\"\ncomponent = '{}'\nquery = '{COURSE_QUERY}'\n\n[[view]]\nname = \"student-courses\"\ncomponent = '{}'\nquery = '{STUDENT_QUERY}'\n",
                component("course-capacity").display(),
                component("student-courses").display(),
            ),
        );
        Courses { dir, store, views }
    }

    /// A command file in the temporary directory.
    pub(super) fn command(&self, json: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        write(self.dir.path(), &format!("command-{n}.json"), json)
    }

    /// The arguments of `evident decide <course-subscriptions component> --store … --views …
    /// --command <command>`.
    pub(super) fn decide_args(&self, command: &Path) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec!["decide".into()];
        args.push(component("course-subscriptions").into());
        args.extend(["--store".into(), self.store.clone().into()]);
        args.extend(["--views".into(), self.views.clone().into()]);
        args.extend(["--command".into(), command.into()]);
        args
    }

    pub(super) fn decide(&self, command: &Path) -> Command {
        let mut decide = evident();
        decide.args(self.decide_args(command));
        decide
    }

    /// `evident view <args> --store … --views …`.
    pub(super) fn view(&self, args: &[&str]) -> Command {
        let mut view = evident();
        view.arg("view")
            .args(args)
            .args(["--store", &self.store, "--views"])
            .arg(&self.views);
        view
    }

    /// `evident store read --type <type>`: the events' ids.
    pub(super) fn read_ids(&self, event_type: &str) -> Vec<String> {
        let out = evident()
            .args([
                "store",
                "read",
                "--type",
                event_type,
                "--store",
                &self.store,
            ])
            .assert()
            .success();
        let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        stdout
            .lines()
            .map(|line| {
                let event: serde_json::Value = serde_json::from_str(line).unwrap();
                event["id"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    /// The course's state as `evident view course-capacity` prints it.
    pub(super) fn capacity(&self, course: &str) -> serde_json::Value {
        let out = self
            .view(&["course-capacity", "--param", &format!("course={course}")])
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }
}

pub(super) fn subscribe(course: &str, student: &str) -> String {
    format!(r#"{{"type":"subscribe","course":"{course}","student":"{student}"}}"#)
}

pub(super) fn define(course: &str, capacity: u32) -> String {
    format!(r#"{{"type":"define-course","course":"{course}","capacity":{capacity}}}"#)
}

fn story(name: &str) -> PathBuf {
    workspace_root().join("examples/courses").join(name)
}

fn output(assert: &assert_cmd::assert::Assert) -> (String, String) {
    let output = assert.get_output();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn the_course_story_decides_appends_refuses_and_views() {
    let courses = Courses::new();
    // The guest directory's evident.toml names the views; the guests are built as needed.
    let defined = evident()
        .args([
            "decide",
            "guests/course-subscriptions",
            "--store",
            &courses.store,
        ])
        .arg("--command")
        .arg(story("define-c1.json"))
        .env_remove("EVIDENT_VIEWS")
        .assert()
        .success()
        .stderr(contains("decided at revision 0 after 1 attempt"))
        .stderr(contains("1 event appended at position 1"))
        .stderr(contains("condition: none"));
    let (stdout, _) = output(&defined);
    let [event] = &json_lines(&stdout)[..] else {
        panic!("{stdout}")
    };
    assert_eq!(event["type"], "course.defined");
    assert_eq!(event["position"], "1", "printed as `store read` prints it");
    assert_eq!(
        event["data"],
        serde_json::json!({"capacity": 3, "course": "c1"})
    );

    for (student, position) in [("s1", 2), ("s2", 3), ("s3", 4)] {
        let subscribed = courses
            .decide(&story(&format!("subscribe-{student}.json")))
            .assert()
            .success()
            .stderr(contains(format!(
                "decided at revision {} after 1 attempt",
                position - 1
            )))
            .stderr(contains(format!("1 event appended at position {position}")))
            .stderr(contains(
                "condition (derived from its reads): {\"failIfEventsMatch\"",
            ))
            .stderr(contains(format!("\"after\":{}", position - 1)))
            .stderr(contains(format!(
                "read: view course-capacity {}",
                COURSE_QUERY.replace("{course}", "c1")
            )))
            .stderr(contains(format!(
                "read: view student-courses {}",
                STUDENT_QUERY.replace("{student}", student)
            )))
            .stderr(contains("fuel used"));
        let (stdout, _) = output(&subscribed);
        let [event] = &json_lines(&stdout)[..] else {
            panic!("{stdout}")
        };
        assert_eq!(event["type"], "student.subscribed");
        assert_eq!(event["id"], format!("c1/{student}"));
        assert_eq!(event["position"], position.to_string());
    }

    // The fourth is refused: exit code 2, nothing appended.
    courses
        .decide(&story("subscribe-s4.json"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "refused: [course-full] course c1 is full: 3 of 3 places taken",
        ));
    courses
        .decide(&story("subscribe-s1.json"))
        .assert()
        .code(2)
        .stderr(contains("refused: [course-full]"));
    assert_eq!(
        courses.read_ids("student.subscribed"),
        ["c1/s1", "c1/s2", "c1/s3"]
    );

    // The view at the head, and at an earlier position.
    courses
        .view(&["course-capacity", "--param", "course=c1"])
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 3"))
        .stderr(contains(
            "course-capacity 1.0.0 {course=c1} at position 4 (head 4): from the start (no snapshot), 4 events folded",
        ));
    courses
        .view(&["course-capacity", "--param", "course=c1", "--at", "2"])
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 1"))
        .stderr(contains("at position 2 (head 4)"))
        .stderr(contains("2 events folded"));
    courses
        .view(&["course-capacity", "--param", "course=c1", "--at", "5"])
        .assert()
        .code(1)
        .stderr(contains("position 5 is past the head of store"));
    courses
        .view(&["student-courses", "--param", "student=s2"])
        .assert()
        .success()
        .stdout(contains("\"c1\""));

    // A course defined again is the same event: a duplicate, exit code 4.
    courses
        .decide(&story("define-c1.json"))
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains("event `c1` of source `/courses` is a duplicate"));
}

#[test]
fn a_view_starts_from_the_snapshot_an_earlier_process_saved_and_rebuild_refolds() {
    let courses = Courses::new();
    courses
        .decide(&courses.command(&define("c1", 2)))
        .assert()
        .success();
    for student in ["s1", "s2"] {
        courses
            .decide(&courses.command(&subscribe("c1", student)))
            .assert()
            .success();
    }
    // This process folds to position 2 from the start and saves a snapshot there (at the end
    // of each frame of events folded, with --snapshot-every 1) ...
    let view = || courses.view(&["course-capacity", "--param", "course=c1"]);
    view()
        .args(["--at", "2", "--snapshot-every", "1"])
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 1"))
        .stderr(contains(
            "at position 2 (head 3): from the start (no snapshot), 2 events folded",
        ));
    // ... the next starts from it, and saves one at the head ...
    view()
        .args(["--snapshot-every", "1"])
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 2"))
        .stderr(contains(
            "at position 3 (head 3): from the snapshot at position 2, 1 event folded",
        ));
    // ... which the next starts from.
    view()
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 2"))
        .stderr(contains("from the snapshot at position 3, 0 events folded"));

    // The log moves on; the view folds only what came after the snapshot.
    courses
        .decide(&courses.command(r#"{"type":"change-capacity","course":"c1","capacity":3}"#))
        .assert()
        .success();
    courses
        .decide(&courses.command(&subscribe("c1", "s3")))
        .assert()
        .success();
    courses
        .decide(&courses.command(&define("c2", 5)))
        .assert()
        .success();
    view()
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 3").and(contains("\"capacity\": 3")))
        .stderr(contains(
            "at position 6 (head 6): from the snapshot at position 3, 2 events folded",
        ));

    // Rebuild deletes the view's snapshots, refolds from the start and saves one at the head.
    courses
        .view(&["rebuild", "course-capacity", "--param", "course=c1"])
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 3"))
        .stderr(contains(
            "rebuilding course-capacity 1.0.0 {course=c1} from the start",
        ))
        .stderr(contains("position 6/6 (100%)"))
        .stderr(contains(
            "rebuilt course-capacity 1.0.0 {course=c1} to position 6: 5 events folded",
        ))
        .stderr(contains("events/s"))
        .stderr(contains("snapshots deleted 2, saved 1"));
    view()
        .assert()
        .success()
        .stderr(contains("from the snapshot at position 6, 0 events folded"));
    // `view show` spells out what `view NAME` does.
    courses
        .view(&["show", "course-capacity", "--param", "course=c2"])
        .assert()
        .success()
        .stdout(contains("\"capacity\": 5"));
}

#[test]
fn a_view_event_that_does_not_fold_stops_decisions_and_rebuilds_at_the_last_good_position() {
    let courses = Courses::new();
    courses
        .decide(&courses.command(&define("c1", 3)))
        .assert()
        .success();
    courses
        .decide(&courses.command(&subscribe("c1", "s1")))
        .assert()
        .success();
    // A capacity change without a capacity, appended behind the decider's back.
    let bad = write(
        courses.dir.path(),
        "bad.jsonl",
        r#"{"specversion":"1.0","id":"c1/capacity/x","source":"/courses","type":"course.capacity-changed","course":"c1","datacontenttype":"application/json","data":{"course":"c1"}}"#,
    );
    evident()
        .args(["store", "append", "--store", &courses.store])
        .arg(&bad)
        .assert()
        .success()
        .stdout("{\"appended\":1,\"position\":3}\n");
    courses
        .decide(&courses.command(&subscribe("c1", "s2")))
        .assert()
        .code(1)
        .stdout("")
        .stderr(contains("the decision read a view that could not answer"))
        .stderr(contains("course-capacity"));
    courses
        .view(&["rebuild", "course-capacity", "--param", "course=c1"])
        .assert()
        .code(1)
        .stdout(contains("\"subscribed\": 1"))
        .stderr(contains(
            "the event at position 3 (id \"c1/capacity/x\") does not fold",
        ))
        .stderr(contains("the last good position is 2"));
    // Before the bad event the view still answers.
    courses
        .view(&["course-capacity", "--param", "course=c1", "--at", "2"])
        .assert()
        .success()
        .stdout(contains("\"subscribed\": 1"));
}

#[test]
fn a_decider_with_its_own_condition_is_appended_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let register = |user: &str| {
        let command = write(
            dir.path(),
            &format!("{user}.json"),
            &format!(r#"{{"type":"register","user":"{user}","username":"ann"}}"#),
        );
        let mut decide = evident();
        decide
            .arg("decide")
            .arg(component("unique-username"))
            .arg("--store")
            .arg(&store)
            .arg("--command")
            .arg(command)
            .current_dir(dir.path());
        decide
    };
    register("u1")
        .assert()
        .success()
        .stderr(contains("note: no views manifest"))
        .stderr(contains(r#"condition (the decider's): {"failIfEventsMatch":{"items":[{"types":["user.registered"],"tags":["username:ann"]}]},"after":0}"#))
        .stderr(contains(r#"read: events {"items":[{"types":["user.registered"],"tags":["username:ann"]}]}"#));
    register("u2")
        .assert()
        .code(2)
        .stderr(contains("refused: [username-taken]"));
}

#[test]
fn deciders_of_each_release_take_their_own_options() {
    let courses = Courses::new();
    // A database decider reads the store, not a history.
    let mut decide = courses.decide(&courses.command(&define("c1", 3)));
    decide
        .args(["--given", "examples/bank/history.jsonl"])
        .assert()
        .code(1)
        .stderr(contains("is a database decider").and(contains("not --given")));
    // A 0.3.0 decider needs its history.
    evident()
        .arg("decide")
        .arg(component("bank-account"))
        .args(["--command", "examples/bank/withdraw.json"])
        .assert()
        .code(1)
        .stderr(contains("give the history it decides on with --given"));
    evident()
        .arg("decide")
        .arg(component("bank-account"))
        .args(["--given", "examples/bank/history.jsonl", "--attempts", "3"])
        .args(["--command", "examples/bank/withdraw.json"])
        .assert()
        .code(1)
        .stderr(contains(
            "--attempts and --snapshot-every are for database deciders",
        ));
}

/// The Python decider runs in the deny-all WASI sandbox, chosen from its guest directory, on
/// the same store and views as the Rust one.
#[test]
fn the_python_decider_decides_on_the_same_store() {
    if evident_testkit::guests::or_skip(component_path("python-course-subscriptions")).is_none() {
        return;
    }
    let courses = Courses::new();
    courses
        .decide(&courses.command(&define("c1", 1)))
        .assert()
        .success();
    let python = |student: &str| {
        let mut decide = evident_on_guest_dirs();
        decide
            .args(["decide", "guests/python-course-subscriptions", "--store"])
            .arg(&courses.store)
            .arg("--views")
            .arg(&courses.views)
            .arg("--command")
            .arg(courses.command(&subscribe("c1", student)));
        decide
    };
    python("s1")
        .assert()
        .success()
        .stderr(contains("deny-all WASI mode"))
        .stderr(contains("1 event appended at position 2"))
        .stdout(contains("\"id\":\"c1/s1\""));
    python("s2")
        .assert()
        .code(2)
        .stderr(contains("refused: [course-full]"));
    assert_eq!(courses.capacity("c1")["subscribed"], 1);
}
