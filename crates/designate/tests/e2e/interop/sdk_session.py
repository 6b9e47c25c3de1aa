"""openstacksdk's `conn.dns` proxy against our API in noauth mode, every result checked. Run by
interop.rs with the API's /v2 URL:

    python sdk_session.py http://127.0.0.1:PORT/v2
"""
import sys
import time

import openstack
from openstack import exceptions

ENDPOINT = sys.argv[1]


def check(condition, message):
    if not condition:
        sys.stderr.write(f"FAILED: {message}\n")
        sys.exit(1)


def wait_active(conn, zone):
    deadline = time.time() + 30
    while True:
        zone = conn.dns.get_zone(zone)
        if zone.status == "ACTIVE":
            return zone
        check(zone.status != "ERROR", f"zone went ERROR: {zone}")
        check(time.time() < deadline, f"zone not ACTIVE in 30 s: {zone}")
        time.sleep(0.2)


def main():
    conn = openstack.connect(auth_type="none", auth={"endpoint": ENDPOINT},
                             dns_endpoint_override=ENDPOINT)
    check(list(conn.dns.zones()) == [], "a fresh service lists no zones")

    zone = conn.dns.create_zone(name="sdk.example.org.", email="hostmaster@sdk.example.org",
                                ttl=1200, description="sdk")
    check(zone.status == "PENDING" and zone.action == "CREATE" and zone.ttl == 1200,
          f"create_zone: {zone}")
    zone = wait_active(conn, zone)
    check(conn.dns.find_zone("sdk.example.org.").id == zone.id, "find_zone by name")
    check([z.id for z in conn.dns.zones(name="sdk.example.org.")] == [zone.id], "zones(name=)")

    zone = conn.dns.update_zone(zone, description="changed", ttl=1300)
    check(zone.description == "changed" and zone.ttl == 1300, f"update_zone: {zone}")
    wait_active(conn, zone)

    rs = conn.dns.create_recordset(zone, name="api.sdk.example.org.", type="AAAA",
                                   records=["2001:db8::1"], ttl=60)
    check(rs.name == "api.sdk.example.org." and rs.records == ["2001:db8::1"], f"create_recordset: {rs}")
    got = conn.dns.get_recordset(rs, zone)
    check(got.id == rs.id and got.ttl == 60, f"get_recordset: {got}")
    names = sorted((r.name, r.type) for r in conn.dns.recordsets(zone))
    check(("api.sdk.example.org.", "AAAA") in names and ("sdk.example.org.", "SOA") in names,
          f"recordsets(zone): {names}")
    got = conn.dns.update_recordset(got, records=["2001:db8::2", "2001:db8::3"])
    check(sorted(got.records) == ["2001:db8::2", "2001:db8::3"], f"update_recordset: {got}")
    try:
        conn.dns.create_recordset(zone, name="api.sdk.example.org.", type="AAAA", records=["2001:db8::9"])
        check(False, "a duplicate recordset was accepted")
    except exceptions.ConflictException:
        pass
    conn.dns.delete_recordset(got, zone)
    wait_active(conn, zone)
    check(all(r.name != "api.sdk.example.org." for r in conn.dns.recordsets(zone)), "recordset deleted")

    try:
        conn.dns.get_zone("00000000-0000-0000-0000-000000000000")
        check(False, "an unknown zone was found")
    except exceptions.NotFoundException:
        pass

    conn.dns.delete_zone(zone)
    deadline = time.time() + 30
    while list(conn.dns.zones()):
        check(time.time() < deadline, "zone still listed 30 s after delete")
        time.sleep(0.2)
    print("sdk session: all steps passed")


main()
