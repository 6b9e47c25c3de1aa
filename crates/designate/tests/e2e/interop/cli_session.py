"""A scripted `openstack` CLI session (python-openstackclient + python-designateclient) against
our API in noauth mode, every output checked. Run by interop.rs with the API's /v2 URL:

    python cli_session.py http://127.0.0.1:PORT/v2

Each command runs in a child forked from this process after the client's modules are loaded, so
the session pays Python's start-up once, yet no command sees state another left behind (the
designate plugin keeps `--sudo-project-id` / `--all-projects` on a shared session object).
Exits non-zero with the failing step on stderr.
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import time

from openstackclient import shell

ENDPOINT = sys.argv[1]
STEP = ["start"]


def fail(message):
    sys.stderr.write(f"FAILED at step {STEP[0]!r}: {message}\n")
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run_isolated(argv):
    """Runs one `openstack` command in a forked child; returns (exit code, stdout, stderr)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = shell.OpenStackShell().run(argv)
        except BaseException as e:  # report anything, never fall back into the parent's code
            rc = 99
            err.write(repr(e))
        with os.fdopen(write_fd, "w") as pipe:
            json.dump([rc, out.getvalue(), err.getvalue()], pipe)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def osc(*argv, expect_rc=0):
    """Runs one `openstack` command; returns its parsed JSON output (or raw text)."""
    STEP[0] = " ".join(argv)
    base = ["--os-auth-type", "none", "--os-endpoint", ENDPOINT]
    rc, text, errors = run_isolated(base + list(argv))
    if rc != expect_rc:
        fail(f"exit {rc} (expected {expect_rc}); stdout={text!r} stderr={errors!r}")
    if "-f" in argv and argv[argv.index("-f") + 1] == "json" and text.strip():
        try:
            return json.loads(text)
        except ValueError:
            fail(f"not JSON: {text!r}")
    return text if expect_rc == 0 else errors


def wait_active(zone):
    deadline = time.time() + 30
    while True:
        shown = osc("zone", "show", zone, "-f", "json")
        if shown["status"] == "ACTIVE":
            return shown
        check(shown["status"] != "ERROR", f"zone went ERROR: {shown}")
        check(time.time() < deadline, f"zone not ACTIVE in 30 s: {shown}")
        time.sleep(0.2)


def main():
    # --- TLDs (admin): a zone must lie under a known TLD once one exists.
    tld = osc("tld", "create", "--name", "org", "--description", "cli", "-f", "json")
    check(tld["name"] == "org" and tld["description"] == "cli", f"tld create: {tld}")
    tlds = osc("tld", "list", "-f", "json")
    check([t["name"] for t in tlds] == ["org"], f"tld list: {tlds}")
    err = osc("zone", "create", "--email", "h@example.net", "example.net.", expect_rc=1)
    check("Invalid TLD" in err or "invalid_zone_name" in err or "400" in err, f"zone outside TLD: {err}")

    # --- Zones.
    zone = osc("zone", "create", "--email", "hostmaster@cli.example.org", "--ttl", "600",
               "--description", "made by the CLI", "cli.example.org.", "-f", "json")
    check(zone["name"] == "cli.example.org." and zone["status"] == "PENDING"
          and zone["action"] == "CREATE" and zone["ttl"] == 600, f"zone create: {zone}")
    zone_id = zone["id"]
    shown = wait_active("cli.example.org.")
    check(shown["id"] == zone_id and shown["email"] == "hostmaster@cli.example.org", f"zone show: {shown}")
    listed = osc("zone", "list", "-f", "json")
    check([z["id"] for z in listed] == [zone_id], f"zone list: {listed}")
    filtered = osc("zone", "list", "--name", "nope.example.org.", "-f", "json")
    check(filtered == [], f"zone list --name: {filtered}")
    updated = osc("zone", "set", "cli.example.org.", "--ttl", "900", "--description", "changed", "-f", "json")
    check(updated["ttl"] == 900 and updated["description"] == "changed", f"zone set: {updated}")
    check(updated["serial"] > zone["serial"], f"serial not bumped: {zone['serial']} -> {updated['serial']}")
    wait_active(zone_id)

    # --- Recordsets.
    rs = osc("recordset", "create", "cli.example.org.", "www", "--type", "A",
             "--record", "192.0.2.10", "--record", "192.0.2.11", "--ttl", "300", "-f", "json")
    check(rs["name"] == "www.cli.example.org." and rs["type"] == "A" and rs["ttl"] == 300,
          f"recordset create: {rs}")
    check(sorted(rs["records"].split("\n")) == ["192.0.2.10", "192.0.2.11"], f"records: {rs}")
    osc("recordset", "create", "cli.example.org.", "mail", "--type", "MX",
        "--record", "10 mx.cli.example.org.", "-f", "json")
    listed = osc("recordset", "list", "cli.example.org.", "-f", "json")
    kinds = sorted((r["name"], r["type"]) for r in listed)
    check(kinds == [("cli.example.org.", "NS"), ("cli.example.org.", "SOA"),
                    ("mail.cli.example.org.", "MX"), ("www.cli.example.org.", "A")],
          f"recordset list: {listed}")
    only_a = osc("recordset", "list", "cli.example.org.", "--type", "A", "-f", "json")
    check([r["name"] for r in only_a] == ["www.cli.example.org."], f"recordset list --type: {only_a}")
    changed = osc("recordset", "set", "cli.example.org.", "www.cli.example.org.",
                  "--record", "192.0.2.99", "--ttl", "120", "-f", "json")
    check(changed["records"] == "192.0.2.99" and changed["ttl"] == 120, f"recordset set: {changed}")
    shown = osc("recordset", "show", "cli.example.org.", rs["id"], "-f", "json")
    check(shown["records"] == "192.0.2.99", f"recordset show: {shown}")
    err = osc("recordset", "create", "cli.example.org.", "bad", "--type", "A",
              "--record", "not-an-address", expect_rc=1)
    check("not-an-address" in err, f"bad record: {err}")
    osc("recordset", "delete", "cli.example.org.", "mail.cli.example.org.", "-f", "json")
    listed = osc("recordset", "list", "cli.example.org.", "-f", "json")
    check(all(r["type"] != "MX" or r["action"] == "DELETE" for r in listed), f"after delete: {listed}")

    # --- Zone export: a task that completes, then the zone file itself.
    export = osc("zone", "export", "create", "cli.example.org.", "-f", "json")
    check(export["zone_id"] == zone_id and export["status"] in ("PENDING", "COMPLETE"), f"export create: {export}")
    deadline = time.time() + 30
    while export["status"] != "COMPLETE":
        check(export["status"] != "ERROR" and time.time() < deadline, f"export: {export}")
        time.sleep(0.2)
        export = osc("zone", "export", "show", export["id"], "-f", "json")
    listed = osc("zone", "export", "list", "-f", "json")
    check([e["id"] for e in listed] == [export["id"]], f"export list: {listed}")
    zonefile = osc("zone", "export", "showfile", export["id"], "-f", "json")["data"]
    check("$ORIGIN cli.example.org." in zonefile and "192.0.2.99" in zonefile
          and "SOA" in zonefile, f"export showfile: {zonefile!r}")

    # --- Zone import: the exported file, renamed, becomes a new zone with the same records.
    with tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False) as f:
        f.write(zonefile.replace("cli.example.org.", "imported.example.org."))
    imported = osc("zone", "import", "create", f.name, "-f", "json")
    deadline = time.time() + 30
    while imported["status"] != "COMPLETE":
        check(imported["status"] != "ERROR" and time.time() < deadline, f"import: {imported}")
        time.sleep(0.2)
        imported = osc("zone", "import", "show", imported["id"], "-f", "json")
    new_zone = wait_active(imported["zone_id"])
    check(new_zone["name"] == "imported.example.org.", f"imported zone: {new_zone}")
    records = osc("recordset", "list", "imported.example.org.", "--type", "A", "-f", "json")
    check([(r["name"], r["records"]) for r in records] == [("www.imported.example.org.", "192.0.2.99")],
          f"imported records: {records}")
    osc("zone", "import", "delete", imported["id"])
    osc("zone", "delete", "imported.example.org.", "-f", "json")
    ns = osc("zone", "nameservers", "list", "cli.example.org.", "-f", "json")
    check(len(ns) >= 1 and all(n["hostname"].endswith(".") for n in ns), f"nameservers: {ns}")

    # --- TSIG keys (admin), scoped to the default pool.
    pool_id = zone["pool_id"]
    key = osc("tsigkey", "create", "--name", "cli-key", "--algorithm", "hmac-sha256",
              "--secret", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=", "--scope", "POOL",
              "--resource-id", pool_id, "-f", "json")
    check(key["name"] == "cli-key" and key["algorithm"] == "hmac-sha256"
          and key["scope"] == "POOL" and key["resource_id"] == pool_id, f"tsigkey create: {key}")
    keys = osc("tsigkey", "list", "-f", "json")
    check([k["name"] for k in keys] == ["cli-key"], f"tsigkey list: {keys}")
    err = osc("tsigkey", "create", "--name", "cli-key", "--algorithm", "hmac-sha256",
              "--secret", "c2VjcmV0", "--scope", "POOL", "--resource-id", pool_id, expect_rc=1)
    check("Duplicate" in err or "409" in err, f"duplicate tsigkey: {err}")
    osc("tsigkey", "delete", "cli-key")
    check(osc("tsigkey", "list", "-f", "json") == [], "tsigkey delete")

    # --- Zone transfer: a request for another project, accepted by that project.
    xfer = osc("zone", "create", "--email", "h@xfer.example.org", "xfer.example.org.", "-f", "json")
    wait_active(xfer["id"])
    request = osc("zone", "transfer", "request", "create", "xfer.example.org.",
                  "--target-project-id", "cli-target", "--description", "to cli-target", "-f", "json")
    check(request["zone_id"] == xfer["id"] and request["target_project_id"] == "cli-target"
          and request["status"] == "ACTIVE" and request["key"], f"transfer request: {request}")
    listed = osc("zone", "transfer", "request", "list", "-f", "json")
    check([r["id"] for r in listed] == [request["id"]], f"transfer request list: {listed}")
    err = osc("zone", "transfer", "accept", "request", "--transfer-id", request["id"],
              "--key", "wrong-key", "--sudo-project-id", "cli-target", expect_rc=1)
    check("403" in err or "key" in err.lower(), f"wrong key: {err}")
    accept = osc("zone", "transfer", "accept", "request", "--transfer-id", request["id"],
                 "--key", request["key"], "--sudo-project-id", "cli-target", "-f", "json")
    check(accept["zone_transfer_request_id"] == request["id"]
          and accept["status"] in ("COMPLETE", "PENDING"), f"transfer accept: {accept}")
    moved = osc("zone", "show", xfer["id"], "--all-projects", "-f", "json")
    check(moved["project_id"] == "cli-target", f"zone not moved: {moved}")
    live = [z["id"] for z in osc("zone", "list", "-f", "json") if z["action"] != "DELETE"]
    check(live == [zone_id], f"the old project still lists the transferred zone: {live}")
    osc("zone", "delete", xfer["id"], "--sudo-project-id", "cli-target", "-f", "json")

    # --- Quotas (admin on a named project).
    quotas = osc("dns", "quota", "set", "--project-id", "cli-project", "--zones", "7", "-f", "json")
    check(quotas["zones"] == 7, f"quota set: {quotas}")
    quotas = osc("dns", "quota", "list", "--project-id", "cli-project", "-f", "json")
    check(quotas["zones"] == 7 and quotas["zone_recordsets"] > 0, f"quota list: {quotas}")

    # --- Delete the zone: it leaves the listing.
    deleted = osc("zone", "delete", "cli.example.org.", "-f", "json")
    check(deleted["action"] == "DELETE", f"zone delete: {deleted}")
    deadline = time.time() + 30
    while osc("zone", "list", "-f", "json"):
        check(time.time() < deadline, "zone still listed 30 s after delete")
        time.sleep(0.2)
    osc("zone", "show", zone_id, expect_rc=1)
    print("cli session: all steps passed")


main()
