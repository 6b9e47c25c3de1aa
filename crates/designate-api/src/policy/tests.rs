//! Unit tests of the policy engine: defaults, override files, and the RBAC decisions upstream's
//! defaults make.

use super::*;

fn ctx(project: &str, roles: &[&str]) -> RequestContext {
    RequestContext {
        project_id: Some(project.to_owned()),
        user_id: Some("u".to_owned()),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        ..RequestContext::default()
    }
}

fn zone_target(project: &str) -> Target {
    target([
        ("project_id", project.to_owned()),
        ("tenant_id", project.to_owned()),
        ("zone_type", "PRIMARY".to_owned()),
        ("zone_shared", "False".to_owned()),
        ("recordset_project_id", project.to_owned()),
    ])
}

#[test]
fn every_default_rule_parses_and_references_exist() {
    for (name, source, _) in defaults::DEFAULT_RULES {
        assert!(check::parse(source).is_ok(), "{name}: {source}");
    }
    Policy::defaults().validate("defaults").unwrap();
    assert!(Policy::defaults().rule("create_zone").is_some());
    assert_eq!(defaults::DEFAULT_RULES.len(), 91);
}

#[test]
fn default_rbac_matrix_for_zones_and_recordsets() {
    let p = Policy::defaults();
    // Keystone's implied roles put reader into member tokens and both into admin tokens.
    let admin = ctx("admin-project", &["admin", "member", "reader"]);
    let member = ctx("p1", &["member", "reader"]);
    let reader = ctx("p1", &["reader"]);
    let stranger = ctx("p2", &["member", "reader"]);
    let own = zone_target("p1");
    for (action, write) in [
        ("create_zone", true),
        ("find_zones", false),
        ("get_zone", false),
        ("update_zone", true),
        ("delete_zone", true),
        ("create_recordset", true),
        ("find_recordsets", false),
        ("get_recordset", false),
        ("update_recordset", true),
        ("delete_recordset", true),
    ] {
        let ok = |c: &RequestContext| p.check(action, &creds(c), &own).is_ok();
        assert!(ok(&admin), "{action} admin");
        assert!(ok(&member), "{action} member");
        assert_eq!(ok(&reader), !write, "{action} reader");
        assert!(!ok(&stranger), "{action} other project");
    }
    for switch in [
        "all_tenants",
        "use_sudo",
        "edit_managed_records",
        "hard_delete",
    ] {
        assert!(p.check(switch, &creds(&admin), &Target::new()).is_ok());
        assert!(p.check(switch, &creds(&member), &Target::new()).is_err());
    }
}

#[test]
fn system_scope_is_refused_by_project_scoped_rules() {
    let p = Policy::defaults();
    let mut system = ctx("", &["admin"]);
    system.project_id = None;
    system.system_scope = true;
    assert_eq!(
        p.check("find_zones", &creds(&system), &zone_target("p1")),
        Err(Denied::InvalidScope)
    );
    let p = p.with_enforce_scope(false);
    assert!(p
        .check("find_zones", &creds(&system), &zone_target("p1"))
        .is_ok());
    let e = enforce(&Policy::defaults(), &system, "find_zones", &Target::new()).unwrap_err();
    assert_eq!(e.error_type, "invalid_token_scope");
}

#[test]
fn overrides_in_yaml_and_json() {
    let yaml = "\"create_zone\": \"rule:admin\"\n# comment\nzone_readers: role:auditor or role:reader\nfind_zones: rule:zone_readers\n";
    let p = Policy::defaults().with_overrides(yaml, "t.yaml").unwrap();
    let member = ctx("p1", &["member", "reader"]);
    let auditor = ctx("p1", &["auditor"]);
    assert_eq!(
        p.check("create_zone", &creds(&member), &zone_target("p1")),
        Err(Denied::Forbidden)
    );
    assert!(p
        .check("find_zones", &creds(&auditor), &zone_target("p1"))
        .is_ok());
    assert!(p
        .render()
        .contains("# overridden by the policy file\n\"create_zone\": \"rule:admin\""));
    assert!(p.render().contains("\"zone_readers\""));

    let json = r#"{"get_zone": "@", "delete_zone": "!", "update_zone": ""}"#;
    let p = Policy::defaults().with_overrides(json, "t.json").unwrap();
    let nobody = ctx("p9", &[]);
    assert!(p
        .check("get_zone", &creds(&nobody), &zone_target("p1"))
        .is_ok());
    assert!(p
        .check("update_zone", &creds(&nobody), &zone_target("p1"))
        .is_ok());
    assert!(p
        .check("delete_zone", &creds(&member), &zone_target("p1"))
        .is_err());
    assert!(Policy::defaults().with_overrides("", "empty").is_ok());
}

#[test]
fn unknown_action_falls_back_to_default_rule() {
    let p = Policy::defaults();
    let member = ctx("p1", &["member"]);
    assert!(p
        .check("no_such_action", &creds(&member), &zone_target("p1"))
        .is_ok());
    assert!(p
        .check("no_such_action", &creds(&member), &zone_target("p2"))
        .is_err());
}

#[test]
fn bad_files_are_clear_errors() {
    let err = |text: &str| {
        Policy::defaults()
            .with_overrides(text, "policy.yaml")
            .unwrap_err()
            .to_string()
    };
    assert!(err("create_zone: role:admin or").contains("\"create_zone\""));
    assert!(err("create_zone: rule:nope").contains("undefined rule \"nope\""));
    assert!(err("a: rule:b\nb: rule:a\ncreate_zone: rule:a").contains("refers back"));
    assert!(err("- one\n- two").contains("not a mapping"));
    assert!(err("create_zone: 3").contains("not a string"));
    assert!(err("create_zone: [\"x\"]").contains("not a string"));
    assert!(err("{{{").contains("policy.yaml"));
    let e = Policy::from_file(Path::new("/nonexistent/policy.yaml")).unwrap_err();
    assert!(e.to_string().contains("cannot read policy file"));
}

#[test]
fn file_on_disk_is_loaded() {
    let dir = std::env::temp_dir().join(format!("policy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("policy.yaml");
    std::fs::write(&path, "find_zones: role:admin\n").unwrap();
    let p = Policy::from_file(&path).unwrap();
    assert_eq!(p.rule("find_zones"), Some("role:admin"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rendered_policy_reads_back_as_a_policy_file() {
    let p = Policy::defaults()
        .with_overrides(
            "create_zone: \"role:admin or 'x':%(zone_name)s\"\nextra: \"@\"\n",
            "t",
        )
        .unwrap();
    let again = Policy::defaults()
        .with_overrides(&p.render(), "rendered")
        .unwrap();
    for (name, _, _) in defaults::DEFAULT_RULES {
        assert_eq!(again.rule(name), p.rule(name), "{name}");
    }
    assert_eq!(again.rule("extra"), Some("@"));
}
